package io.caravan.fetch;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Meta's asynchronous insights report run, for windows too long for a synchronous answer:
 * {@code POST} the insights request (same parameters) → {@code {"report_run_id"}}; {@code GET
 * /<version>/<report_run_id>} until {@code async_status} is {@code Job Completed} (waiting
 * {@code pollInitial}, doubling up to {@code pollMax}); the result is read from {@code
 * /<version>/<report_run_id>/insights}, paged by {@code paging.next} as usual. {@code Job Failed} or
 * {@code Job Skipped} fails the run with that status; a run not completed within {@code pollBudget}
 * is given up (nothing kept; the next scheduled run starts a new one). Messages name the status
 * and the percentage, never a value.
 */
final class MetaReportRun {
    private static final ObjectMapper JSON = new ObjectMapper();

    private MetaReportRun() {
    }

    /** Starts the run for {@code insights} (the synchronous request's URL) and returns its first result page's URL. */
    static URI run(SourceSpec spec, GuardedHttp http, URI insights) {
        String version = versionPrefix(spec.path());
        JsonNode started = json(spec, http.send(insights, "", "application/x-www-form-urlencoded", "report run start", true),
                "report run start");
        String runId = started.path("report_run_id").asText("");
        if (!runId.matches("[0-9]{1,40}")) {
            throw new FetchException(spec.connectorId() + ": report run start: the answer has no report_run_id");
        }
        URI status = URI.create(base(spec) + version + "/" + runId);
        SourceSpec.Meta meta = spec.meta();
        Instant deadline = http.clock().instant().plus(meta.pollBudget());
        Duration wait = meta.pollInitial();
        String last = "not started";
        int percent = 0;
        int polls = 0;
        Duration waited = Duration.ZERO;
        while (true) {
            JsonNode run = json(spec, http.send(status, null, null, "report run status", true), "report run status");
            polls++;
            last = run.path("async_status").asText("");
            percent = run.path("async_percent_completion").asInt(0);
            if (last.equals("Job Completed")) {
                String limit = spec.query().getOrDefault("limit", "");
                return URI.create(status + "/insights" + (limit.isEmpty() ? "" : "?limit=" + limit));
            }
            if (last.equals("Job Failed") || last.equals("Job Skipped")) {
                throw new FetchException(spec.connectorId() + ": report run: Meta reports '" + last + "' at " + percent
                        + "% after " + polls + " poll(s); nothing of this run is kept, the next run starts a new report");
            }
            waited = waited.plus(wait);
            if (http.clock().instant().plus(wait).isAfter(deadline) || waited.compareTo(meta.pollBudget()) > 0) {
                throw new FetchException(spec.connectorId() + ": report run: not completed within " + meta.pollBudget()
                        + " (source.meta.pollBudget; last status '" + (last.matches("[A-Za-z ]{1,40}") ? last : "?") + "' at "
                        + percent + "%); given up, nothing of this run is kept");
            }
            http.pause(wait, "report run status");
            Duration doubled = wait.multipliedBy(2);
            wait = doubled.compareTo(meta.pollMax()) > 0 ? meta.pollMax() : doubled;
        }
    }

    /** {@code /v24.0} of {@code /v24.0/act_1/insights}, or empty when the path names no version. */
    static String versionPrefix(String path) {
        return path.matches("/v[0-9]+(\\.[0-9]+)?/.*") ? path.substring(0, path.indexOf('/', 1)) : "";
    }

    private static String base(SourceSpec spec) {
        String base = spec.baseUrl().toString();
        return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    private static JsonNode json(SourceSpec spec, HttpResponse<InputStream> response, String what) {
        try (InputStream body = response.body()) {
            JsonNode node = JSON.readTree(body.readNBytes(1 << 20));
            if (node == null || !node.isObject()) {
                throw new FetchException(spec.connectorId() + ": " + what + ": the answer is not a JSON object");
            }
            return node;
        } catch (IOException | JacksonException e) {
            throw new FetchException(spec.connectorId() + ": " + what + ": unreadable answer (" + e.getClass().getSimpleName() + ")");
        }
    }
}

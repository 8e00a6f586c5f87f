package io.caravan.ops;

import io.caravan.connector.ConnectorDescriptor;
import io.caravan.connector.ConnectorRegistry;
import io.caravan.harmonise.DryRun;
import io.caravan.harmonise.RouteAgreementCheck;
import io.caravan.ingest.PageSource;
import io.caravan.pipeline.RecordBatch;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Producer;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.support.service.ServiceHelper;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * What a connector's flow would do with a sample: the connector's reader and harmoniser
 * ({@link DryRun}), then the route's own {@code taxonomy:}, {@code consent:} and {@code pseudonymise:}
 * steps (the running endpoints, which only look up consent and suppression), then the writer's
 * accounting; the warehouse is only asked, read-only, which of the record keys it already holds.
 *
 * <p>Contract. Writes nothing (no ledger batch, warehouse row, audit event, file or log line) and keeps
 * nothing after it answers. Steps of the route other than those three (none in today's routes) are not
 * run and are named in the answer. The route is the first partner flow, by id, that has
 * {@code harmonise:<connector>}; a connector no route uses is previewed through harmonise alone.
 * Thread-safe.
 */
final class ConnectorPreview {
    private static final Set<String> PREVIEWED = Set.of("consent", "pseudonymise", "taxonomy");

    private final CamelContext camel;
    private final ConnectorRegistry connectors;
    private final DryRun dryRun;
    private final JdbcTemplate jdbc;
    private final PreviewProperties properties;

    ConnectorPreview(CamelContext camel, ConnectorRegistry connectors, DryRun dryRun, JdbcTemplate jdbc,
                     PreviewProperties properties) {
        this.camel = camel;
        this.connectors = connectors;
        this.dryRun = dryRun;
        this.jdbc = jdbc;
        this.properties = properties;
    }

    PreviewProperties properties() {
        return properties;
    }

    Optional<ConnectorDescriptor> connector(String id) {
        return connectors.find(id);
    }

    /** The preview of a sample file. */
    Map<String, Object> ofFile(String connectorId, InputStream sample, String source, int rows) {
        return preview(connectorId, source, rows, (limits, stages) -> dryRun.run(connectorId, sample, source, limits, stages));
    }

    /** The preview of an API connector's first page. */
    Map<String, Object> ofPage(String connectorId, PageSource page, String source, int rows) {
        return preview(connectorId, source, rows, (limits, stages) -> dryRun.run(connectorId, page, source, limits, stages));
    }

    private interface Pass {
        DryRun.Outcome run(DryRun.Limits limits, UnaryOperator<RecordBatch> stages);
    }

    private Map<String, Object> preview(String connectorId, String source, int rows, Pass pass) {
        Optional<RouteDefinition> route = routeOf(connectorId);
        List<String> uris = route.map(this::stepsAfterHarmonise).orElse(List.of());
        List<String> run = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        List<Producer> producers = new ArrayList<>();
        UnaryOperator<RecordBatch> stages = UnaryOperator.identity();
        try {
            for (String uri : uris) {
                String scheme = uri.substring(0, Math.max(0, uri.indexOf(':')));
                if (scheme.equals("warehouse")) {
                    break;
                }
                if (!PREVIEWED.contains(scheme)) {
                    skipped.add(uri);
                    continue;
                }
                Endpoint endpoint = camel.getEndpoint(uri);
                Producer producer = endpoint.createProducer();
                ServiceHelper.startService(producer);
                producers.add(producer);
                UnaryOperator<RecordBatch> before = stages;
                stages = batch -> step(endpoint, producer, before.apply(batch));
                run.add(uri);
            }
            DryRun.Outcome outcome = pass.run(new DryRun.Limits(properties.maxBytes(), properties.maxColumns(), rows,
                    properties.maxIssues()), stages);
            return answer(outcome, route.map(RouteDefinition::getRouteId).orElse(null), source, run, skipped);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("a step of the preview could not be started", e);
        } finally {
            producers.forEach(ServiceHelper::stopAndShutdownService);
        }
    }

    private static RecordBatch step(Endpoint endpoint, Producer producer, RecordBatch batch) {
        Exchange exchange = endpoint.createExchange();
        exchange.getIn().setBody(batch);
        try {
            producer.process(exchange);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("preview step " + endpoint.getEndpointBaseUri() + " failed", e);
        }
        return exchange.getIn().getBody(RecordBatch.class);
    }

    private Map<String, Object> answer(DryRun.Outcome outcome, String routeId, String source, List<String> run,
                                       List<String> skipped) {
        Map<String, Object> counts = new LinkedHashMap<>();
        counts.put("rowsIn", outcome.counts().rowsIn());
        counts.put("delivered", outcome.counts().delivered());
        counts.put("rejected", outcome.counts().rejected());
        counts.put("consentFiltered", outcome.counts().consentFiltered());
        counts.put("suppressed", outcome.counts().suppressed());
        counts.put("duplicate", outcome.counts().duplicate());
        counts.put("warnings", outcome.counts().warnings());
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("connector", outcome.connectorId());
        answer.put("route", routeId);
        answer.put("table", outcome.table());
        answer.put("source", source);
        answer.put("steps", run);
        answer.put("notPreviewed", skipped);
        answer.put("counts", counts);
        answer.put("alreadyStored", alreadyStored(outcome));
        answer.put("rows", outcome.sample());
        answer.put("rejections", outcome.rejections());
        answer.put("warnings", outcome.warnings());
        answer.put("issuesTruncated", outcome.issuesTruncated());
        answer.put("unmappedColumns", outcome.unmappedColumns());
        answer.put("written", false);
        return answer;
    }

    /**
     * How many of the rows that would be delivered the warehouse already holds by record key: each is then
     * an update, or a duplicate when nothing but the batch changed. Read-only, a chunk of keys at a time.
     */
    private long alreadyStored(DryRun.Outcome outcome) {
        List<String> keys = new ArrayList<>(outcome.recordKeys());
        String table = connectors.get(outcome.connectorId()).table().tableName();
        long stored = 0;
        for (int from = 0; from < keys.size(); from += 1000) {
            List<String> chunk = keys.subList(from, Math.min(keys.size(), from + 1000));
            Long n = jdbc.queryForObject("SELECT count(*) FROM caravan.\"" + table + "\" WHERE record_key = ANY (?)",
                    Long.class, (Object) chunk.toArray(String[]::new));
            stored += n == null ? 0 : n;
        }
        return stored;
    }

    private Optional<RouteDefinition> routeOf(String connectorId) {
        String harmonise = "harmonise:" + connectorId;
        return ((ModelCamelContext) camel).getRouteDefinitions().stream()
                .filter(r -> r.getGroup() != null)
                .filter(r -> RouteAgreementCheck.toUris(r).stream().anyMatch(u -> withoutQuery(u).equals(harmonise)))
                .sorted(java.util.Comparator.comparing(RouteDefinition::getRouteId))
                .findFirst();
    }

    private List<String> stepsAfterHarmonise(RouteDefinition route) {
        List<String> uris = RouteAgreementCheck.toUris(route);
        int at = 0;
        while (at < uris.size() && !withoutQuery(uris.get(at)).startsWith("harmonise:")) {
            at++;
        }
        return at >= uris.size() ? List.of() : List.copyOf(uris.subList(at + 1, uris.size()));
    }

    private static String withoutQuery(String uri) {
        int q = uri.indexOf('?');
        return q < 0 ? uri : uri.substring(0, q);
    }
}

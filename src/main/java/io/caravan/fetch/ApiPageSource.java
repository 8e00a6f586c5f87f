package io.caravan.fetch;

import io.caravan.ingest.PageSource;
import io.caravan.ingest.SourceRow;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The pages of one API sync run, fetched one at a time as the reader asks: the first request from
 * the base URL, path and query (with {@code ${watermark}}, {@code ${window.from}}, {@code ${window.to}}
 * filled in; parameters left empty are omitted), then by the connector's paging style —
 * {@code page} (page number until an empty or short page), {@code cursor} (the cursor found at
 * {@code cursorPath}, sent as {@code cursorParam}, until there is none), {@code link-next} (the URL
 * at {@code nextPath}, host-checked, until there is none), {@code none}/{@code stream} (one answer,
 * streamed). At most {@code maxPages} pages.
 *
 * <p>Follows the greatest value of the incremental field among the records read cleanly, as the
 * candidate watermark; {@link #nextWatermark()} offers it only when no page was malformed (so a
 * page that could not be read is fetched again next time). Single use, one thread.
 */
final class ApiPageSource implements PageSource {
    /** Where a Google Ads stream that breaks off with an error says so (a batch {@code {"error": {...}}}). */
    static final String STREAM_ERROR_STATUS = "error.status";
    static final String STREAM_ERROR_CODE = "error.code";

    private final SourceSpec spec;
    private final GuardedHttp http;
    private final String watermark;
    private final Instant now;
    private LocalDate today;
    private InputStream open;
    private URI current;
    private int pages;
    private int pageNumber;
    private String maxSeen;
    private String lastCursor;
    private boolean malformedSeen;
    private FetchException failure;

    ApiPageSource(SourceSpec spec, GuardedHttp http, String watermark, Instant now) {
        this.spec = spec;
        this.http = http;
        this.watermark = watermark;
        this.now = now;
        this.today = LocalDate.ofInstant(now, spec.window() == null ? java.time.ZoneOffset.UTC : spec.window().zone());
    }

    @Override
    public Set<String> capturePaths() {
        return switch (spec.paging().style()) {
            case "cursor" -> Set.of(spec.paging().cursorPath());
            case "link-next" -> Set.of(spec.paging().nextPath());
            case "stream" -> spec.googleAds() != null ? Set.of(STREAM_ERROR_STATUS, STREAM_ERROR_CODE) : Set.of();
            default -> Set.of();
        };
    }

    @Override
    public Page next(PageResult previous) throws IOException {
        try {
            return fetchNext(previous);
        } catch (FetchException e) {
            failure = e;
            throw e;
        }
    }

    /** Why this run could not fetch a page, or null. */
    FetchException failure() {
        return failure;
    }

    private Page fetchNext(PageResult previous) throws IOException {
        closeOpen();
        if (previous.malformed()) {
            malformedSeen = true;
        }
        URI uri;
        SourceSpec.Paging paging = spec.paging();
        if (!previous.isFirst() && (previous.captured().containsKey(STREAM_ERROR_STATUS)
                || previous.captured().containsKey(STREAM_ERROR_CODE))) {
            String status = previous.captured().getOrDefault(STREAM_ERROR_STATUS, "");
            throw new FetchException(spec.connectorId() + ": page " + pages + ": the Google Ads stream ended with an error ("
                    + previous.captured().getOrDefault(STREAM_ERROR_CODE, "?")
                    + (status.matches("[A-Z_]{1,40}") ? ", " + status : "") + ") after " + previous.records()
                    + " row(s); the run is not kept");
        }
        if (previous.isFirst()) {
            if (spec.googleAds() != null) {
                today = LocalDate.ofInstant(now, GoogleAdsAccount.read(spec, http).timeZone());
            }
            pageNumber = paging.firstPage();
            uri = firstUri(paging.style().equals("page") ? Map.of(paging.pageParam(), String.valueOf(pageNumber)) : Map.of());
            if (spec.meta() != null && spec.meta().async(spec.window())) {
                uri = MetaReportRun.run(spec, http, uri);
                if (++pages > paging.maxPages()) {
                    throw new FetchException(spec.connectorId() + ": more than " + paging.maxPages() + " pages (source.paging.maxPages)");
                }
                current = uri;
                HttpResponse<InputStream> response = http.send(uri, null, spec.contentType(), "page " + pages, true);
                return page("page " + pages, response);
            }
        } else {
            switch (paging.style()) {
                case "page" -> {
                    boolean shortPage = paging.size() != null && previous.records() < paging.size();
                    if (!previous.malformed() && (previous.records() == 0 || shortPage)) {
                        return null;
                    }
                    pageNumber++;
                    uri = firstUri(Map.of(paging.pageParam(), String.valueOf(pageNumber)));
                }
                case "cursor" -> {
                    String cursor = previous.captured().get(paging.cursorPath());
                    if (cursor == null || cursor.isBlank()) {
                        return null;
                    }
                    lastCursor = cursor;
                    uri = firstUri(Map.of(paging.cursorParam(), cursor));
                }
                case "link-next" -> {
                    String next = previous.captured().get(paging.nextPath());
                    if (next == null || next.isBlank()) {
                        return null;
                    }
                    try {
                        uri = http.dialect().clean(current.resolve(next));
                    } catch (IllegalArgumentException e) {
                        throw new FetchException(spec.connectorId() + ": page " + (pages + 1) + ": next link is not a URL");
                    }
                }
                default -> {
                    return null;
                }
            }
        }
        if (++pages > paging.maxPages()) {
            throw new FetchException(spec.connectorId() + ": more than " + paging.maxPages() + " pages (source.paging.maxPages)");
        }
        current = uri;
        String name = "page " + pages;
        String body = spec.body() == null ? null : fill(spec.body());
        HttpResponse<InputStream> response = http.send(uri, body, spec.contentType(), name, true);
        return page(name, response);
    }

    private Page page(String name, HttpResponse<InputStream> response) {
        open = new LimitedInputStream(response.body(), spec.limits().maxResponseBytes(), http.tooLarge(name),
                spec.connectorId() + ": " + name + ": the answer broke off before its end", e -> failure = e);
        return new Page(name, open);
    }

    private URI firstUri(Map<String, String> paging) {
        Map<String, String> params = new LinkedHashMap<>();
        spec.query().forEach((k, v) -> params.put(k, fill(v)));
        params.putAll(paging);
        StringBuilder query = new StringBuilder();
        params.forEach((k, v) -> {
            if (v != null && !v.isEmpty()) {
                query.append(query.length() == 0 ? "" : "&").append(encode(k)).append('=').append(encode(v));
            }
        });
        String url = spec.displayUrl();
        try {
            return URI.create(query.length() == 0 ? url : url + (url.contains("?") ? "&" : "?") + query);
        } catch (IllegalArgumentException e) {
            throw new FetchException(spec.connectorId() + ": the request URL built from source.baseUrl and source.path is not a valid URI");
        }
    }

    private String fill(String template) {
        String mark = watermark != null ? watermark
                : spec.incremental() != null && spec.incremental().initial() != null ? spec.incremental().initial() : "";
        String result = template.replace("${watermark}", mark);
        if (spec.window() != null) {
            result = result.replace("${window.from}", today.minusDays(spec.window().days()).toString())
                    .replace("${window.to}", today.toString());
        }
        return result;
    }

    @Override
    public void seen(SourceRow row) {
        if (spec.incremental() == null) {
            return;
        }
        String value = row.get(spec.incremental().field());
        if (value != null && (maxSeen == null || compare(value, maxSeen) > 0)) {
            maxSeen = value;
        }
    }

    /** The watermark to store once the batch is committed; empty when it should stay where it is. */
    Optional<String> nextWatermark() {
        if (malformedSeen || maxSeen == null) {
            return Optional.empty();
        }
        return watermark == null || compare(maxSeen, watermark) > 0 ? Optional.of(maxSeen) : Optional.empty();
    }

    /** The last cursor followed in this run (informational), or null. */
    String lastCursor() {
        return lastCursor;
    }

    String watermark() {
        return watermark;
    }

    /** Instants (ISO with offset) by time, dates by day, anything else as text. */
    static int compare(String a, String b) {
        Optional<Instant> ia = instant(a);
        Optional<Instant> ib = instant(b);
        if (ia.isPresent() && ib.isPresent()) {
            return ia.get().compareTo(ib.get());
        }
        return a.compareTo(b);
    }

    private static Optional<Instant> instant(String text) {
        try {
            return Optional.of(OffsetDateTime.parse(text).toInstant());
        } catch (DateTimeParseException e) {
            try {
                return Optional.of(Instant.parse(text));
            } catch (DateTimeParseException ex) {
                return Optional.empty();
            }
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private void closeOpen() {
        if (open != null) {
            try {
                open.close();
            } catch (IOException ignored) {
                // the page is done with
            }
            open = null;
        }
    }

    @Override
    public void close() {
        closeOpen();
    }

    @Override
    public String toString() {
        return "ApiPageSource[" + spec.connectorId() + ", " + pages + " page(s)]";
    }
}

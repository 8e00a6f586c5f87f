package io.caravan.fetch;

import io.caravan.connector.ConnectorDescriptor;
import io.caravan.error.ConfigException;
import io.caravan.error.FailureReasons;
import io.caravan.ingest.RecordReader;
import io.caravan.ingest.RecordReaderFactory;
import io.caravan.ingest.SourceRow;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.stereotype.Component;

/**
 * A preview run of an API connector: the requests a sync would make (token, account settings,
 * report run, pages), read up to {@value #MAX_ROWS} rows, without a batch, without writing
 * anything and without moving the connector's state — so an integration engineer can check a new
 * account's credentials and mapping. The answer holds counts, the column names the partner sent
 * (the mapped ones and the ones the descriptor does not map) and, when it failed, the reason
 * (connector, request, rule or error code); never a value.
 *
 * <p>Thread-safe; one preview runs beside a scheduled sync without taking its lock (it changes nothing).
 */
@Component
public final class SourcePreviews {
    static final int MAX_ROWS = 1000;
    private static final int MAX_COLUMNS = 200;

    private final FetchEngine engine;
    private final List<RecordReaderFactory> readers;

    SourcePreviews(FetchEngine engine, List<RecordReaderFactory> readers) {
        this.engine = engine;
        this.readers = readers;
    }

    /**
     * What a preview found.
     *
     * @param ok          true when every request was answered and read
     * @param reason      why not, or null
     * @param rows        rows read (at most {@value #MAX_ROWS}; {@code truncated} when there were more)
     * @param unreadable  rows or pages that could not be read
     * @param columns     source columns seen, sorted (at most 200)
     * @param unmapped    those the descriptor's fields do not read
     */
    public record Preview(String connectorId, boolean ok, String reason, long rows, boolean truncated, long unreadable,
                          Set<String> columns, Set<String> unmapped) {
    }

    public Preview preview(ConnectorDescriptor connector) {
        Set<String> columns = new TreeSet<>();
        long rows = 0;
        long unreadable = 0;
        boolean truncated = false;
        RecordReaderFactory factory = readers.stream().filter(r -> r.formatType().equals(connector.format().type())).findFirst()
                .orElse(null);
        if (factory == null) {
            return new Preview(connector.id(), false, "no reader for format " + connector.format().type(), 0, false, 0, Set.of(), Set.of());
        }
        ApiPageSource pages;
        try {
            pages = engine.open(connector, null);
        } catch (ConfigException e) {
            return new Preview(connector.id(), false, String.join("; ", e.problems()), 0, false, 0, Set.of(), Set.of());
        }
        try (RecordReader reader = factory.open(pages, connector, engine.spec(connector).displayUrl())) {
            while (reader.hasNext()) {
                if (rows >= MAX_ROWS) {
                    truncated = true;
                    break;
                }
                SourceRow row = reader.next();
                rows++;
                if (row.problem() != null) {
                    unreadable++;
                }
                for (String column : row.columns()) {
                    if (columns.size() < MAX_COLUMNS) {
                        columns.add(column);
                    }
                }
            }
        } catch (Exception e) {
            FetchException fetch = pages.failure();
            return new Preview(connector.id(), false, fetch != null ? fetch.getMessage() : FailureReasons.of(e), rows, false,
                    unreadable, columns, unmapped(connector, columns));
        }
        return new Preview(connector.id(), true, null, rows, truncated, unreadable, columns, unmapped(connector, columns));
    }

    private static Set<String> unmapped(ConnectorDescriptor connector, Set<String> columns) {
        Set<String> mapped = new TreeSet<>();
        Set<String> arrays = new TreeSet<>();
        connector.fields().values().forEach(f -> {
            if (f.column() != null) {
                mapped.add(f.column());
                if (f.column().indexOf('[') > 0) {
                    arrays.add(f.column().substring(0, f.column().indexOf('[')) + ".");
                }
            }
        });
        Set<String> unmapped = new TreeSet<>();
        for (String c : columns) {
            if (!mapped.contains(c) && arrays.stream().noneMatch(c::startsWith)) {
                unmapped.add(c);
            }
        }
        return unmapped;
    }
}

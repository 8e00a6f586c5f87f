package io.caravan.ingest;

import io.caravan.error.SafeMessage;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.JacksonIOException;
import tools.jackson.core.JsonToken;
import tools.jackson.core.StreamReadConstraints;
import io.caravan.connector.ConnectorDescriptor;
import io.caravan.pipeline.Issue;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * Streaming JSON reader ({@code format.type: json}, Jackson's streaming parser): one record in
 * memory at a time, whatever the size of the document or the number of pages.
 *
 * <p>{@code format.records} says where the records are: dotted object keys, with {@code []} for
 * "each element of an array". {@code data} reads the array under the key {@code data};
 * {@code [].results} reads a JSON array of batches, each with a {@code results} array (Google Ads
 * {@code searchStream}); a batch without the key holds no records. Without {@code records} the
 * document itself is the array of records. Each record is flattened to dotted paths
 * ({@code campaign.id}, {@code metrics.costMicros}); array elements get their index
 * ({@code tags.0}); {@code null} is absent; numbers keep their text. A column may select an array
 * element by one of its fields: {@code actions[action_type=lead].value} (Meta's {@code actions[]}
 * and {@code cost_per_action_type[]}).
 *
 * <p>A page that is not valid JSON is yielded as one unusable row with field {@code page} and the
 * rule (page name, line and column, never the text); the records before the fault have been
 * yielded, and reading goes on with the next page. A record that is not an object is unusable
 * alone (field {@code record}). Values longer than the connector's maximum field length are left
 * to harmonise, which rejects them by field.
 */
@Component
class JsonReaderFactory implements RecordReaderFactory {
    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build())
            .build();

    @Override
    public String formatType() {
        return "json";
    }

    @Override
    public RecordReader open(InputStream in, ConnectorDescriptor descriptor, String source) {
        return open(new SinglePage(in, source), descriptor, source);
    }

    @Override
    public RecordReader open(PageSource pages, ConnectorDescriptor descriptor, String source) {
        return new JsonRecordReader(pages, descriptor.format().records());
    }

    /** One stream as the only page. */
    private static final class SinglePage implements PageSource {
        private InputStream in;
        private final String name;

        SinglePage(InputStream in, String name) {
            this.in = in;
            this.name = name;
        }

        @Override public Set<String> capturePaths() { return Set.of(); }

        @Override public Page next(PageResult previous) {
            InputStream body = in;
            in = null;
            return body == null ? null : new Page(name, body);
        }

        @Override public void close() throws IOException {
            if (in != null) {
                in.close();
            }
        }
    }

    static final class JsonRecordReader implements RecordReader {
        private enum Kind { OBJECT, ARRAY, RECORDS }

        /** Where the parser is: an object or array on the way to the records, or the records array. */
        private record Frame(Kind kind, int segment, String prefix) {
        }

        private final PageSource pages;
        private final List<String> segments;
        private final Set<String> capture;
        private final Deque<Frame> stack = new ArrayDeque<>();
        private PageSource.Page page;
        private JsonParser parser;
        private Map<String, String> captured = new HashMap<>();
        private int pageRecords;
        private boolean finished;
        private long number;
        private JsonRow next;
        private boolean firstCall = true;
        private Collection<String> lastColumns = Set.of();

        JsonRecordReader(PageSource pages, String records) {
            this.pages = pages;
            this.segments = records == null || records.isBlank() ? List.of() : List.of(records.split("\\."));
            this.capture = pages.capturePaths();
        }

        @Override
        public boolean hasNext() {
            if (next == null && !finished) {
                next = advance();
            }
            return next != null;
        }

        @Override
        public SourceRow next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            JsonRow row = next;
            next = null;
            if (row.problem == null) {
                pages.seen(row);
            }
            return row;
        }

        private JsonRow advance() {
            try {
                while (true) {
                    if (parser == null && !openNextPage(false)) {
                        finished = true;
                        return null;
                    }
                    try {
                        Map<String, String> record = nextRecord();
                        if (record != null) {
                            pageRecords++;
                            return row(record, null);
                        }
                        closePage();
                        if (!openNextPage(false)) {
                            finished = true;
                            return null;
                        }
                    } catch (NotARecord e) {
                        pageRecords++;
                        return new JsonRow(++number, Map.of(), Issue.rejection("record", "record is not a JSON object"));
                    } catch (JacksonIOException e) {
                        throw e.getCause(); // the stream failed, not the document: the outer handler fails the read
                    } catch (JacksonException e) {
                        // where the parser stopped reading (as Jackson 2 reported it), not where the bad token began
                        JsonRow problem = new JsonRow(++number, Map.of(), Issue.rejection("page",
                                page.name() + ": malformed JSON" + at(parser == null ? e.getLocation() : parser.currentLocation())));
                        closePage();
                        if (!openNextPage(true)) {
                            finished = true;
                        }
                        return problem;
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(new IOException(
                        (page == null ? "source" : page.name()) + ": read failed (" + e.getClass().getSimpleName() + ")"));
            }
        }

        private static String at(TokenStreamLocation location) {
            return location == null || location.getLineNr() < 0 ? ""
                    : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
        }

        private boolean openNextPage(boolean malformed) throws IOException {
            PageSource.PageResult result = firstCall ? PageSource.PageResult.FIRST
                    : new PageSource.PageResult(captured, pageRecords, malformed);
            firstCall = false;
            page = null;
            PageSource.Page nextPage = pages.next(result);
            captured = new HashMap<>();
            pageRecords = 0;
            stack.clear();
            if (nextPage == null) {
                return false;
            }
            page = nextPage;
            parser = JSON.createParser(nextPage.body());
            return true;
        }

        private void closePage() {
            if (parser != null) {
                try {
                    parser.close();
                } catch (JacksonException ignored) {
                    // the page is done with
                }
                parser = null;
            }
            if (page != null) {
                try {
                    page.body().close();
                } catch (IOException ignored) {
                    // the page is done with
                }
            }
        }

        /** The next record of the open page, or null at its end. */
        private Map<String, String> nextRecord() throws IOException {
            while (true) {
                JsonToken token = parser.nextToken();
                if (token == null) {
                    return null;
                }
                if (stack.isEmpty()) {
                    enter(token, 0, "");
                    continue;
                }
                if (token == JsonToken.END_OBJECT || token == JsonToken.END_ARRAY) {
                    stack.pop();
                    continue;
                }
                Frame frame = stack.peek();
                switch (frame.kind()) {
                    case OBJECT -> {
                        String name = parser.currentName();
                        JsonToken value = parser.nextToken();
                        if (frame.segment() < segments.size() && name.equals(segments.get(frame.segment()))) {
                            enter(value, frame.segment() + 1, frame.prefix() + name);
                        } else {
                            other(value, frame.prefix() + name);
                        }
                    }
                    case ARRAY -> enter(token, frame.segment(), frame.prefix());
                    case RECORDS -> {
                        if (token != JsonToken.START_OBJECT) {
                            parser.skipChildren();
                            throw new NotARecord();
                        }
                        Map<String, String> record = new LinkedHashMap<>();
                        flatten("", record);
                        return record;
                    }
                    default -> throw new IllegalStateException();
                }
            }
        }

        /** A value on the way to the records: at segment {@code segment} of the records path. */
        private void enter(JsonToken token, int segment, String path) throws IOException {
            if (segment == segments.size()) {
                if (token == JsonToken.START_ARRAY) {
                    stack.push(new Frame(Kind.RECORDS, segment, path));
                } else if (token == JsonToken.START_OBJECT && segments.isEmpty()) {
                    parser.skipChildren();
                    throw new NotARecord();
                } else {
                    parser.skipChildren();
                }
            } else if (segments.get(segment).equals("[]")) {
                if (token == JsonToken.START_ARRAY) {
                    stack.push(new Frame(Kind.ARRAY, segment + 1, path));
                } else {
                    parser.skipChildren();
                }
            } else if (token == JsonToken.START_OBJECT) {
                stack.push(new Frame(Kind.OBJECT, segment, path.isEmpty() ? "" : path + "."));
            } else {
                other(token, path);
            }
        }

        /** A value off the records path: captured when asked for, descended into when a capture lies inside. */
        private void other(JsonToken token, String path) throws IOException {
            if (token.isScalarValue()) {
                if (capture.contains(path) && token != JsonToken.VALUE_NULL) {
                    captured.put(path, parser.getText());
                }
            } else if (token == JsonToken.START_OBJECT && capturesInside(path)) {
                stack.push(new Frame(Kind.OBJECT, Integer.MAX_VALUE, path + "."));
            } else {
                parser.skipChildren();
            }
        }

        private boolean capturesInside(String path) {
            for (String c : capture) {
                if (c.startsWith(path + ".")) {
                    return true;
                }
            }
            return false;
        }

        /** Reads the object the parser is at (just after its START_OBJECT) into dotted paths. */
        private void flatten(String prefix, Map<String, String> record) throws IOException {
            JsonToken token;
            while ((token = parser.nextToken()) != JsonToken.END_OBJECT) {
                String name = parser.currentName();
                value(parser.nextToken(), prefix + name, record);
            }
        }

        private void value(JsonToken token, String path, Map<String, String> record) throws IOException {
            if (token == JsonToken.START_OBJECT) {
                flatten(path + ".", record);
            } else if (token == JsonToken.START_ARRAY) {
                int i = 0;
                JsonToken element;
                while ((element = parser.nextToken()) != JsonToken.END_ARRAY) {
                    value(element, path + "." + i++, record);
                }
            } else if (token != JsonToken.VALUE_NULL) {
                record.put(path, parser.getText());
            }
        }

        private JsonRow row(Map<String, String> values, Issue problem) {
            Collection<String> columns = values.keySet();
            if (columns.equals(lastColumns)) {
                columns = lastColumns;
            } else {
                lastColumns = Set.copyOf(columns);
                columns = lastColumns;
            }
            return new JsonRow(++number, values, problem, columns);
        }

        @Override
        public void close() throws IOException {
            finished = true;
            closePage();
            pages.close();
        }
    }

    private static final class NotARecord extends RuntimeException implements SafeMessage {
        NotARecord() {
            super("record is not a JSON object", null, false, false);
        }
    }

    /** One flattened record; {@link #toString()} names no value. */
    static final class JsonRow implements SourceRow {
        private static final java.util.regex.Pattern SELECTOR =
                java.util.regex.Pattern.compile("([A-Za-z0-9_.]+)\\[([A-Za-z0-9_]+)=([^\\]]+)]\\.([A-Za-z0-9_.]+)");
        private final long number;
        private final Map<String, String> values;
        private final Issue problem;
        private final Collection<String> columns;

        JsonRow(long number, Map<String, String> values, Issue problem) {
            this(number, values, problem, values.keySet());
        }

        JsonRow(long number, Map<String, String> values, Issue problem, Collection<String> columns) {
            this.number = number;
            this.values = values;
            this.problem = problem;
            this.columns = columns;
        }

        @Override public long number() { return number; }

        @Override public String get(String column) {
            String value = values.get(column);
            if (value == null && column.indexOf('[') > 0) {
                value = select(column);
            }
            return value == null || value.isEmpty() ? null : value;
        }

        /**
         * {@code actions[action_type=lead].value}: the {@code value} of the first element of the
         * array {@code actions} whose {@code action_type} is {@code lead} (how Meta reports actions
         * and cost per action type); null when no element matches.
         */
        private String select(String column) {
            java.util.regex.Matcher m = SELECTOR.matcher(column);
            if (!m.matches()) {
                return null;
            }
            String array = m.group(1);
            for (int i = 0; ; i++) {
                String prefix = array + "." + i + ".";
                String key = values.get(prefix + m.group(2));
                if (key == null) {
                    if (values.keySet().stream().noneMatch(k -> k.startsWith(prefix))) {
                        return null;
                    }
                    continue;
                }
                if (key.equals(m.group(3))) {
                    return values.get(prefix + m.group(4));
                }
            }
        }

        @Override public Collection<String> columns() { return columns; }

        @Override public Issue problem() { return problem; }

        @Override public String toString() {
            return "JsonRow[" + number + ", " + values.size() + " field(s)]";
        }
    }
}

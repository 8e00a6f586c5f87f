package io.caravan.ingest;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Set;

/**
 * A source that arrives in pages (the answers of a partner's HTTP API), pulled one page at a time
 * by a {@link RecordReader}, so that no more than one page is ever open and nothing is fetched
 * before a later step drains the batch.
 *
 * <p>Contract: {@link #next} is called by the reader's thread only, first with {@link PageResult#FIRST},
 * then after each page with what the reader found in it; it returns null when there are no more
 * pages. A transport failure (host refused, retry budget exhausted) is thrown and fails the whole
 * batch; its message names the connector, page and rule, never a value or a credential.
 * {@link #toString()} names no secret.
 */
public interface PageSource extends Closeable {

    /**
     * Dotted paths outside the records (e.g. {@code paging.next}, {@code next_cursor}) whose scalar
     * values the reader reports back in {@link PageResult#captured()}.
     */
    Set<String> capturePaths();

    /** The next page, or null when there is none. */
    Page next(PageResult previous) throws IOException;

    /** Told of every record read cleanly, in order (e.g. to follow an incremental watermark). */
    default void seen(SourceRow row) {
    }

    /**
     * One open page.
     *
     * @param name for messages, e.g. {@code "page 3"}
     * @param body the page's bytes; the reader closes it
     */
    record Page(String name, InputStream body) {
    }

    /**
     * What the reader found in a page.
     *
     * @param captured  values of {@link #capturePaths()} found in the page
     * @param records   how many records the page held (clean or not)
     * @param malformed true when the page could not be parsed to its end
     */
    record PageResult(Map<String, String> captured, int records, boolean malformed) {
        public static final PageResult FIRST = new PageResult(Map.of(), -1, false);

        public PageResult {
            captured = Map.copyOf(captured);
        }

        public boolean isFirst() {
            return records < 0;
        }
    }
}

package io.caravan.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.connector.ConnectorDescriptor;
import io.caravan.connector.ConnectorRegistry;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The streaming JSON reader: records paths, flattening, pages, captures and malformed input. */
class JsonReaderTest {
    @TempDir
    Path dir;

    private ConnectorDescriptor connector(String records) throws Exception {
        Files.writeString(dir.resolve("c.yaml"), """
                id: json-test
                title: JSON test
                partner: test
                dataClass: third_party
                record: campaign_performance
                format: { type: json%s }
                naturalKey: [campaign_id]
                fields:
                  campaign_id: { column: campaign.id, type: text }
                """.formatted(records == null ? "" : ", records: \"" + records + "\""));
        return new ConnectorRegistry(dir, Path.of("config/vocabularies.yaml"), Set.of("json")).get("json-test");
    }

    private static List<SourceRow> read(RecordReader reader) {
        List<SourceRow> rows = new ArrayList<>();
        reader.forEachRemaining(rows::add);
        return rows;
    }

    private static InputStream json(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void flattensNestedRecordsToDottedPathsKeepingNumberText() throws Exception {
        List<SourceRow> rows = read(new JsonReaderFactory().open(json("""
                {"meta": {"n": 1}, "data": [
                  {"campaign": {"id": "7", "name": "VW_DE_ID4_CONS_SEARCH"}, "metrics": {"costMicros": "1250000", "ctr": 0.0510},
                   "tags": ["a", "b"], "gone": null, "ok": true}
                ]}"""), connector("data"), "s"));

        assertThat(rows).singleElement().satisfies(row -> {
            assertThat(row.number()).isEqualTo(1);
            assertThat(row.get("campaign.id")).isEqualTo("7");
            assertThat(row.get("metrics.costMicros")).isEqualTo("1250000");
            assertThat(row.get("metrics.ctr")).isEqualTo("0.0510");
            assertThat(row.get("tags.1")).isEqualTo("b");
            assertThat(row.get("ok")).isEqualTo("true");
            assertThat(row.get("gone")).isNull();
            assertThat(row.columns()).containsExactlyInAnyOrder("campaign.id", "campaign.name", "metrics.costMicros",
                    "metrics.ctr", "tags.0", "tags.1", "ok");
            assertThat(row.toString()).doesNotContain("VW_DE");
        });
    }

    @Test
    void aColumnSelectsAnArrayElementByOneOfItsFieldsAsMetaReportsActions() throws Exception {
        List<SourceRow> rows = read(new JsonReaderFactory().open(json("""
                {"data": [{"actions": [{"action_type": "link_click", "value": "86"}, {"action_type": "lead", "value": "6"}],
                           "cost_per_action_type": [{"action_type": "lead", "value": "6.055"}]},
                          {"actions": [{"action_type": "link_click", "value": "3"}]},
                          {"clicks": "1"}]}"""), connector("data"), "s"));

        assertThat(rows).extracting(r -> r.get("actions[action_type=lead].value") + "/" + r.get("actions[action_type=link_click].value")
                + "/" + r.get("cost_per_action_type[action_type=lead].value"))
                .containsExactly("6/86/6.055", "null/3/null", "null/null/null");
    }

    @Test
    void readsSearchStreamBatchesIncludingOneWithoutResults() throws Exception {
        List<SourceRow> rows = read(new JsonReaderFactory().open(json("""
                [{"results": [{"campaign": {"id": "1"}}, {"campaign": {"id": "2"}}], "fieldMask": "campaign.id"},
                 {"fieldMask": "campaign.id", "requestId": "x"},
                 {"results": [{"campaign": {"id": "3"}}]}]"""), connector("[].results"), "s"));

        assertThat(rows).extracting(r -> r.number() + ":" + r.get("campaign.id")).containsExactly("1:1", "2:2", "3:3");
    }

    @Test
    void aDocumentWithoutRecordsPathIsAnArrayOfRecordsAndAnEmptyOneHasNone() throws Exception {
        assertThat(read(new JsonReaderFactory().open(json("[{\"campaign\":{\"id\":\"9\"}}]"), connector(null), "s")))
                .extracting(r -> r.get("campaign.id")).containsExactly("9");
        assertThat(read(new JsonReaderFactory().open(json("[]"), connector("[].results"), "s"))).isEmpty();
        assertThat(read(new JsonReaderFactory().open(json("{\"data\": []}"), connector("data"), "s"))).isEmpty();
    }

    @Test
    void aRecordThatIsNotAnObjectIsUnusableAlone() throws Exception {
        List<SourceRow> rows = read(new JsonReaderFactory().open(json("{\"data\": [{\"campaign\":{\"id\":\"1\"}}, 42, {\"campaign\":{\"id\":\"3\"}}]}"),
                connector("data"), "s"));

        assertThat(rows).extracting(r -> r.problem() == null ? "ok" : r.problem().field() + ":" + r.problem().reason())
                .containsExactly("ok", "record:record is not a JSON object", "ok");
    }

    @Test
    void pagesAreReadOneAfterTheOtherWithCapturesAndAMalformedPageBecomesOneRejectedRow() throws Exception {
        Deque<String> bodies = new ArrayDeque<>(List.of(
                "{\"data\": [{\"campaign\":{\"id\":\"1\"}}], \"paging\": {\"cursors\": {\"after\": \"A\"}, \"next\": \"n2\"}}",
                "{\"data\": [{\"campaign\":{\"id\":\"2\"}}, {\"campaign\": {\"id\": oops}}]}",
                "{\"data\": [{\"campaign\":{\"id\":\"3\"}}]}"));
        List<PageSource.PageResult> results = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        PageSource pages = new PageSource() {
            int n;

            @Override public Set<String> capturePaths() { return Set.of("paging.next"); }

            @Override public Page next(PageResult previous) {
                results.add(previous);
                return bodies.isEmpty() ? null : new Page("page " + ++n, json(bodies.poll()));
            }

            @Override public void seen(SourceRow row) { seen.add(row.get("campaign.id")); }

            @Override public void close() { }
        };

        List<SourceRow> rows = read(new JsonReaderFactory().open(pages, connector("data"), "api"));

        assertThat(rows).extracting(r -> r.number() + ":" + (r.problem() == null ? r.get("campaign.id")
                : r.problem().field() + ":" + r.problem().reason()))
                .containsExactly("1:1", "2:2", "3:page:page 2: malformed JSON at line 1, column 61", "4:3");
        assertThat(seen).containsExactly("1", "2", "3");
        assertThat(results.get(0).isFirst()).isTrue();
        assertThat(results.get(1).captured()).isEqualTo(Map.of("paging.next", "n2"));
        assertThat(results.get(1).records()).isEqualTo(1);
        assertThat(results.get(2).malformed()).isTrue();
        assertThat(results).hasSize(4);
    }
}

package io.caravan.lineage;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Reads {@code caravan.lineage_event}: the datasets that appear in events, each with the flows into
 * it and out of it (from the terminal events: COMPLETE, FAIL, ABORT), and the newest events.
 * Thread-safe; reads only.
 */
@Component
@ConditionalOnProperty(name = "caravan.lineage.enabled", havingValue = "true", matchIfMissing = true)
class LineageStore {
    private final JdbcTemplate jdbc;
    private final ObjectMapper json;

    LineageStore(DataSource dataSource, ObjectMapper json) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.json = json;
    }

    /** One flow between two datasets through a job: how many runs, how many ended well, the last one and its rows. */
    record Flow(String namespace, String name, String job, long runs, long completed, String lastEventTime,
                String lastState, Long lastRows) {
    }

    record DatasetLineage(String namespace, String name, List<Flow> from, List<Flow> to) {
    }

    List<DatasetLineage> datasets() {
        Map<String, Map<String, Object>> byKey = new TreeMap<>();
        Map<String, Map<String, FlowBuilder>> from = new TreeMap<>();
        Map<String, Map<String, FlowBuilder>> to = new TreeMap<>();
        List<Map<String, Object>> rows = jdbc.queryForList("""
                SELECT event_type, event_time, job_name, payload::text AS payload FROM caravan.lineage_event
                WHERE event_type IN ('COMPLETE', 'FAIL', 'ABORT') ORDER BY event_time, event_id""");
        for (Map<String, Object> row : rows) {
            JsonNode event = json.readTree((String) row.get("payload"));
            String job = (String) row.get("job_name");
            String state = (String) row.get("event_type");
            String time = row.get("event_time") instanceof java.sql.Timestamp t ? t.toInstant().toString() : String.valueOf(row.get("event_time"));
            for (JsonNode output : event.path("outputs")) {
                String outKey = key(output);
                byKey.putIfAbsent(outKey, Map.of("namespace", output.path("namespace").asString(), "name", output.path("name").asString()));
                Long rowsWritten = output.path("outputFacets").path("outputStatistics").has("rowCount")
                        ? output.path("outputFacets").path("outputStatistics").path("rowCount").asLong() : null;
                for (JsonNode input : event.path("inputs")) {
                    String inKey = key(input);
                    byKey.putIfAbsent(inKey, Map.of("namespace", input.path("namespace").asString(), "name", input.path("name").asString()));
                    from.computeIfAbsent(outKey, k -> new LinkedHashMap<>())
                            .computeIfAbsent(job + "\u0000" + inKey, k -> new FlowBuilder(input, job)).add(state, time, rowsWritten);
                    to.computeIfAbsent(inKey, k -> new LinkedHashMap<>())
                            .computeIfAbsent(job + "\u0000" + outKey, k -> new FlowBuilder(output, job)).add(state, time, rowsWritten);
                }
            }
        }
        List<DatasetLineage> out = new ArrayList<>();
        byKey.forEach((key, id) -> out.add(new DatasetLineage((String) id.get("namespace"), (String) id.get("name"),
                from.getOrDefault(key, Map.of()).values().stream().map(FlowBuilder::build).toList(),
                to.getOrDefault(key, Map.of()).values().stream().map(FlowBuilder::build).toList())));
        return out;
    }

    List<Map<String, Object>> events(String job, int limit) {
        List<Map<String, Object>> out = new ArrayList<>();
        List<Map<String, Object>> rows = job == null || job.isBlank()
                ? jdbc.queryForList("SELECT payload::text AS payload FROM caravan.lineage_event ORDER BY event_id DESC LIMIT ?", limit)
                : jdbc.queryForList("SELECT payload::text AS payload FROM caravan.lineage_event WHERE job_name = ? "
                        + "ORDER BY event_id DESC LIMIT ?", job, limit);
        for (Map<String, Object> row : rows) {
            @SuppressWarnings("unchecked")
            Map<String, Object> event = json.readValue((String) row.get("payload"), Map.class);
            out.add(event);
        }
        return out;
    }

    private static String key(JsonNode dataset) {
        return dataset.path("namespace").asString() + "\u0000" + dataset.path("name").asString();
    }

    private static final class FlowBuilder {
        private final String namespace;
        private final String name;
        private final String job;
        private long runs;
        private long completed;
        private String lastTime;
        private String lastState;
        private Long lastRows;

        FlowBuilder(JsonNode dataset, String job) {
            this.namespace = dataset.path("namespace").asString();
            this.name = dataset.path("name").asString();
            this.job = job;
        }

        void add(String state, String time, Long rows) {
            runs++;
            if (state.equals("COMPLETE")) {
                completed++;
            }
            lastTime = time;
            lastState = state;
            lastRows = rows;
        }

        Flow build() {
            return new Flow(namespace, name, job, runs, completed, lastTime, lastState, lastRows);
        }
    }
}

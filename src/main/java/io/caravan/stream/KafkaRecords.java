package io.caravan.stream;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.component.kafka.KafkaConstants;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns one batch of Kafka records (the body of a {@code kafka:} consumer with {@code batching=true}:
 * a list of exchanges, one per record, in offset order) into the input of {@code harmonise:}: the
 * stream {@code {"data":[record 1, record 2, …]}}, so a JSON descriptor with {@code records: data}
 * reads record <i>n</i> of the batch as row <i>n</i>. A record whose value is not a JSON object
 * becomes an empty object, which harmonise rejects for its missing fields: every record is counted
 * in the ledger, none stops the batch, no value is logged. Sets {@code CaravanSource} to
 * {@code kafka:<topic>} and keeps the record exchanges in property {@value #RECORDS} for
 * {@link KafkaCommit}. Stateless and thread-safe.
 */
final class KafkaRecords implements Processor {
    /** Exchange property holding the batch's record exchanges until the commit. */
    static final String RECORDS = "CaravanKafkaRecords";
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    @Override
    public void process(Exchange exchange) throws Exception {
        List<?> records = exchange.getIn().getMandatoryBody(List.class);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write("{\"data\":[".getBytes(StandardCharsets.UTF_8));
        String topic = null;
        for (int i = 0; i < records.size(); i++) {
            Exchange record = (Exchange) records.get(i);
            if (topic == null) {
                topic = record.getIn().getHeader(KafkaConstants.TOPIC, String.class);
            }
            if (i > 0) {
                out.write(',');
            }
            out.write(JSON.writeValueAsBytes(object(record.getIn().getBody(String.class))));
        }
        out.write("]}".getBytes(StandardCharsets.UTF_8));
        exchange.setProperty(RECORDS, records);
        exchange.getIn().setHeader("CaravanSource", "kafka:" + (topic == null ? "unknown" : topic));
        exchange.getIn().setBody(new ByteArrayInputStream(out.toByteArray()));
    }

    private static JsonNode object(String value) {
        if (value != null) {
            try {
                JsonNode node = JSON.readTree(value);
                if (node != null && node.isObject()) {
                    return node;
                }
            } catch (JacksonException notJson) {
                // rejected by harmonise as a row without fields
            }
        }
        return JSON.createObjectNode();
    }
}

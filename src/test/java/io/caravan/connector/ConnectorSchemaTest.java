package io.caravan.connector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** The descriptor schema documents itself, and its declared defaults are the ones the parser applies. */
class ConnectorSchemaTest {
    private static final Path VOCABULARIES = Path.of("config/vocabularies.yaml");
    private static final String MINIMAL = """
            id: minimal-sales
            title: Minimal sales
            partner: test-dealer
            dataClass: first_party
            record: sale
            format: { type: csv }
            naturalKey: [sale_id]
            fields:
              sale_id: { type: text }
            """;

    @TempDir
    Path dir;

    @Test
    void everyPropertyHasATitleAndADescription() throws IOException {
        List<String> undocumented = new ArrayList<>();
        walk(schema(), "$", undocumented);
        assertThat(undocumented).isEmpty();
    }

    @Test
    void declaredDefaultsAreTheOnesTheParserApplies() throws IOException {
        JsonNode schema = schema();
        JsonNode properties = schema.path("properties");
        JsonNode format = schema.path("$defs").path("format").path("properties");
        JsonNode field = schema.path("$defs").path("field").path("properties");
        ConnectorDescriptor d = load(MINIMAL).get("minimal-sales");

        assertThat(d.phoneRegion()).isEqualTo(properties.path("identity").path("properties").path("phoneRegion").path("default").asString());
        assertThat(d.vinCheckDigit()).isEqualTo(properties.path("identity").path("properties").path("vinCheckDigit").path("default").asBoolean());
        List<String> subjectOrder = new ArrayList<>();
        properties.path("identity").path("properties").path("subjectOrder").path("default").forEach(n -> subjectOrder.add(n.asString()));
        assertThat(d.subjectOrder()).isEqualTo(subjectOrder);
        assertThat(d.maxFileBytes()).isEqualTo(properties.path("limits").path("properties").path("maxFileBytes").path("default").asLong());
        assertThat(d.maxFieldChars()).isEqualTo(properties.path("limits").path("properties").path("maxFieldChars").path("default").asInt());
        assertThat(d.format().charset().name()).isEqualTo(format.path("charset").path("default").asString());
        assertThat(String.valueOf(d.format().delimiter())).isEqualTo(format.path("delimiter").path("default").asString());
        assertThat(String.valueOf(d.format().quote())).isEqualTo(format.path("quote").path("default").asString());
        assertThat(d.format().header()).isEqualTo(format.path("header").path("default").asBoolean());
        assertThat(String.valueOf(d.format().decimalSeparator())).isEqualTo(format.path("decimalSeparator").path("default").asString());
        assertThat(d.format().zone().getId()).isEqualTo(format.path("zone").path("default").asString());
        assertThat(d.format().datePatterns()).hasSize(1);
        assertThat(d.format().datePatterns().get(0).toString()).isEqualTo(java.time.format.DateTimeFormatter
                .ofPattern(format.path("datePattern").path("default").asString()).toString());
        assertThat(d.fields().get("sale_id").required()).isEqualTo(field.path("required").path("default").asBoolean());
        JsonNode gates = properties.path("gates").path("properties");
        GateSpec declared = GateSpec.from(defaults(gates));
        assertThat(d.gates()).isEqualTo(declared).isEqualTo(GateSpec.DEFAULTS);
    }

    @Test
    void gatesAreReadFromTheDescriptorAndAnUnknownDateFieldIsNamed() throws IOException {
        ConnectorDescriptor d = load(MINIMAL + "gates:\n  minRows: 5\n  columns: { added: quarantine }\n"
                + "  volume: { tolerancePercent: 30, minHistory: 2 }\n  dates: { maxAgeDays: 90 }\n").get("minimal-sales");
        assertThat(d.gates().minRows()).isEqualTo(5);
        assertThat(d.gates().columns().added()).isEqualTo(GateSpec.Action.QUARANTINE);
        assertThat(d.gates().columns().removed()).isEqualTo(GateSpec.Action.QUARANTINE);
        assertThat(d.gates().volume()).isEqualTo(new GateSpec.Volume(30, 12, 2));
        assertThat(d.gates().dates().maxAgeDays()).isEqualTo(90);
        assertThatThrownBy(() -> load(MINIMAL + "gates:\n  dates: { fields: [make] }\n"))
                .hasMessageContaining("$.gates.dates.fields: 'make' is not a date or timestamp field");
    }

    /** The {@code default}s of a schema object's properties, nested objects included, as a document. */
    private static JsonNode defaults(JsonNode properties) {
        tools.jackson.databind.node.ObjectNode doc = new ObjectMapper().createObjectNode();
        properties.properties().forEach(e -> {
            if (e.getValue().has("default")) {
                doc.set(e.getKey(), e.getValue().get("default"));
            } else if (e.getValue().has("properties")) {
                doc.set(e.getKey(), defaults(e.getValue().get("properties")));
            }
        });
        return doc;
    }

    @Test
    void anUnknownCanonicalFieldListsTheTableFields() throws IOException {
        assertThatThrownBy(() -> load(MINIMAL.replace("sale_id: { type: text }", "sale_id: { type: text }\n  marke: { type: text }")))
                .hasMessageContaining("$.fields.marke.type: unknown canonical field 'marke' for table sale (valid: ")
                .hasMessageContaining("sale_id, dealer_id, sale_date, make")
                .hasMessageContaining("personal: birth_date, city, comment, email");
    }

    @Test
    void anUnknownTypeOrRecordListsTheValidOnes() throws IOException {
        assertThatThrownBy(() -> load(MINIMAL.replace("{ type: text }", "{ type: vinn }")))
                .hasMessageContaining("$.fields.sale_id.type: unknown type 'vinn' (valid: text, integer, decimal, date, "
                        + "timestamp, boolean, email, phone, vin, postcode, vocabulary)");
        assertThatThrownBy(() -> load(MINIMAL.replace("record: sale", "record: sales")))
                .hasMessageContaining("$.record: unknown record 'sales' (valid: lead, sale, contract, insurance, campaign_performance)");
    }

    @Test
    void anUnknownVocabularyListsTheDefinedOnes() throws IOException {
        assertThatThrownBy(() -> load(MINIMAL.replace("sale_id: { type: text }",
                "sale_id: { type: text }\n  fuel_type: { type: vocabulary, vocabulary: fuel }")))
                .hasMessageContaining("$.fields.fuel_type.vocabulary: unknown vocabulary 'fuel' (valid: ")
                .hasMessageContaining("fuel_type");
    }

    private ConnectorRegistry load(String descriptor) throws IOException {
        Files.createDirectories(dir.resolve("connectors"));
        Files.writeString(dir.resolve("connectors/x.yaml"), descriptor);
        return new ConnectorRegistry(dir.resolve("connectors"), VOCABULARIES, Set.of("csv"));
    }

    private static JsonNode schema() throws IOException {
        try (InputStream in = ConnectorSchemaTest.class.getResourceAsStream("/caravan/connector.schema.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    /** Every entry of every {@code properties} map, in the schema and its {@code $defs}. */
    private static void walk(JsonNode node, String at, List<String> undocumented) {
        if (node.has("properties")) {
            node.get("properties").properties().forEach(e -> {
                JsonNode property = e.getValue();
                boolean reference = property.has("$ref");
                if (!reference && (!property.hasNonNull("title") || !property.hasNonNull("description"))) {
                    undocumented.add(at + "." + e.getKey());
                }
                walk(property, at + "." + e.getKey(), undocumented);
            });
        }
        if (node.has("$defs")) {
            node.get("$defs").properties().forEach(e -> walk(e.getValue(), "$defs." + e.getKey(), undocumented));
        }
    }
}

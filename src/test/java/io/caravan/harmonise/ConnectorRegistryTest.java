package io.caravan.harmonise;

import io.caravan.connector.ConnectorDescriptor;
import io.caravan.connector.ConnectorRegistry;
import io.caravan.error.ConfigException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnectorRegistryTest {
    private static final Path VOCABULARIES = Path.of("config/vocabularies.yaml");

    @TempDir
    Path dir;

    @BeforeEach
    void setUp() throws IOException {
        Files.createDirectories(dir.resolve("connectors"));
    }

    @Test
    void loadsEveryDescriptorOfTheRepository() {
        ConnectorRegistry registry = new ConnectorRegistry(Path.of("connectors"), VOCABULARIES, Set.of("csv", "fixed-width", "adf-xml", "json"));
        assertThat(registry.find("dealer-nord-sales")).isPresent();
        assertThat(registry.get("dealer-sued-sales").format().charset().name()).isEqualTo("UTF-8");
    }

    @Test
    void unknownFieldTypeNamesFileAndPath() throws IOException {
        write("x.yaml", valid().replace("type: vin", "type: vinn"));
        assertThatThrownBy(this::load)
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("x.yaml: $.fields.vin.type: unknown type 'vinn'");
    }

    @Test
    void misspelledPropertyIsNamed() throws IOException {
        write("x.yaml", valid().replace("column: FIN", "colum: FIN"));
        assertThatThrownBy(this::load).hasMessageContaining("x.yaml: $.fields.vin: unknown property 'colum'");
    }

    @Test
    void fieldThatIsNotACanonicalColumnIsRefused() throws IOException {
        write("x.yaml", valid().replace("  make:", "  marke:"));
        assertThatThrownBy(this::load).hasMessageContaining("$.fields.marke.type: unknown canonical field 'marke' for table sale");
    }

    @Test
    void personalFieldInNaturalKeyIsRefused() throws IOException {
        write("x.yaml", valid().replace("naturalKey: [sale_id]", "naturalKey: [sale_id, email]"));
        assertThatThrownBy(this::load).hasMessageContaining("$.naturalKey[1]: a natural key must not use the personal field 'email'");
    }

    @Test
    void fixedVocabularyFieldMustUseItsVocabulary() throws IOException {
        write("x.yaml", valid().replace("fuel_type: { column: Kraftstoff, type: vocabulary, vocabulary: fuel_type }",
                "fuel_type: { column: Kraftstoff, type: text }"));
        assertThatThrownBy(this::load).hasMessageContaining("$.fields.fuel_type.type: field 'fuel_type' has a fixed vocabulary");
    }

    @Test
    void badCharsetAndDatePatternAreNamed() throws IOException {
        write("x.yaml", valid().replace("charset: ISO-8859-1", "charset: latin-99").replace("datePattern: dd.MM.yyyy", "datePattern: dd.MM.yyyyQQQQQ{"));
        assertThatThrownBy(this::load)
                .hasMessageContaining("$.format.charset: unknown charset 'latin-99'")
                .hasMessageContaining("$.format.datePattern: invalid pattern");
    }

    @Test
    void duplicateConnectorIdsAreRefused() throws IOException {
        write("a.yaml", valid());
        write("b.yaml", valid());
        assertThatThrownBy(this::load).hasMessageContaining("$.id: connector id 'test-sales' is already used by");
    }

    @Test
    void typeMustFitTheColumn() throws IOException {
        write("x.yaml", valid().replace("sale_date: { column: Datum, type: date", "sale_date: { column: Datum, type: integer"));
        assertThatThrownBy(this::load).hasMessageContaining("$.fields.sale_date.type: type 'integer' does not fit column sale.sale_date (date)");
    }

    @Test
    void connectorSpellingsExtendTheSharedVocabulary() throws IOException {
        write("x.yaml", valid() + "vocabularies:\n  fuel_type:\n    bev: [Stromer]\n");
        ConnectorDescriptor d = load().get("test-sales");
        assertThat(d.vocabularies().map("fuel_type", "stromer")).contains("bev");
        assertThat(d.vocabularies().map("fuel_type", "Électrique")).contains("bev");
    }

    @Test
    void connectorSpellingsCannotInventValues() throws IOException {
        write("x.yaml", valid() + "vocabularies:\n  fuel_type:\n    steam: [Dampf]\n");
        assertThatThrownBy(this::load).hasMessageContaining("$.vocabularies: vocabulary 'fuel_type' has no value 'steam'");
    }

    private ConnectorRegistry load() {
        return new ConnectorRegistry(dir.resolve("connectors"), VOCABULARIES, Set.of("csv"));
    }

    private void write(String name, String content) throws IOException {
        Files.writeString(dir.resolve("connectors").resolve(name), content);
    }

    static String valid() {
        return """
                id: test-sales
                title: Test sales
                partner: test-dealer
                dataClass: first_party
                record: sale
                format:
                  type: csv
                  charset: ISO-8859-1
                  delimiter: ";"
                  decimalSeparator: ","
                  datePattern: dd.MM.yyyy
                naturalKey: [sale_id]
                fields:
                  sale_id: { column: Nr, type: text, required: true }
                  sale_date: { column: Datum, type: date, required: true }
                  make: { column: Marke, type: text }
                  fuel_type: { column: Kraftstoff, type: vocabulary, vocabulary: fuel_type }
                  price_amount: { column: Preis, type: decimal }
                  vin: { column: FIN, type: vin }
                  email: { column: E-Mail, type: email }
                """;
    }
}

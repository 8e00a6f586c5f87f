package io.caravan.testing;

import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The official ODCS v3.1.0 JSON Schema (draft 2019-09, {@code src/test/resources/odcs/}, source and
 * licence in its README), validating a contract given as YAML with networknt's json-schema-validator.
 */
public final class OdcsSchema {
    private static final Schema SCHEMA = load();

    private OdcsSchema() {
    }

    /** Every violation of the schema, as {@code path: message}; empty for a valid contract. */
    public static List<String> problems(String yaml) {
        JsonNode document = new YAMLMapper().readTree(yaml);
        return SCHEMA.validate(document).stream().map(e -> e.getInstanceLocation() + ": " + e.getMessage()).toList();
    }

    private static Schema load() {
        try (InputStream in = OdcsSchema.class.getResourceAsStream("/odcs/odcs-json-schema-v3.1.0.json")) {
            return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2019_09).getSchema(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

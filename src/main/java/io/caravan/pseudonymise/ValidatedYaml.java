package io.caravan.pseudonymise;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reads a YAML configuration file and validates it against a JSON Schema (2020-12) on the class
 * path, so that every structural problem is reported at start-up with the file and path:
 * {@code config/purposes.yaml: $.purposes.analytics.basis: does not have a value in the enumeration [...]}.
 * Duplicate keys are refused. Stateless and thread-safe.
 */
public final class ValidatedYaml {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final JsonSchemaFactory SCHEMAS = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

    private ValidatedYaml() {
    }

    /**
     * The file's content, valid against {@code schemaResource} (a class path resource).
     *
     * @throws ConfigFileException naming the file and every problem's path
     */
    public static JsonNode read(Path file, String schemaResource) {
        JsonNode document;
        try (InputStream in = Files.newInputStream(file)) {
            document = YAML.readTree(in);
        } catch (NoSuchFileException e) {
            throw new ConfigFileException(file + ": not found");
        } catch (JsonProcessingException e) {
            var at = e.getLocation();
            throw new ConfigFileException(file + ": not valid YAML"
                    + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")")
                    + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ConfigFileException(file + ": cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        if (document == null || document.isMissingNode() || document.isNull()) {
            throw new ConfigFileException(file + ": is empty");
        }
        Set<ValidationMessage> problems = schema(schemaResource).validate(document);
        if (!problems.isEmpty()) {
            List<String> lines = problems.stream().map(ValidationMessage::getMessage)
                    .sorted(Comparator.naturalOrder()).toList();
            throw new ConfigFileException(lines.stream().map(line -> file + ": " + line)
                    .collect(Collectors.joining("\n")));
        }
        return document;
    }

    private static JsonSchema schema(String resource) {
        try (InputStream in = ValidatedYaml.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("schema " + resource + " is not on the class path");
            }
            return SCHEMAS.getSchema(in);
        } catch (IOException e) {
            throw new IllegalStateException("schema " + resource + " cannot be read", e);
        }
    }
}

package io.caravan.pseudonymise;

import io.caravan.config.JsonSchemas;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads a YAML configuration file and validates it against a JSON Schema (2020-12) on the class
 * path, so that every structural problem is reported at start-up with the file and path:
 * {@code config/purposes.yaml: $.purposes.analytics.basis: does not have a value in the enumeration [...]}.
 * Duplicate keys are refused. Stateless and thread-safe.
 */
public final class ValidatedYaml {
    private static final ObjectMapper YAML = YAMLMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    /** Jackson 3's wording of a refused duplicate key ({@code Duplicate Object property "a"}). */
    private static final Pattern DUPLICATE = Pattern.compile("^Duplicate Object property \"([^\"]*)\"");

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
        } catch (JacksonException e) {
            var at = e.getLocation();
            throw new ConfigFileException(file + ": not valid YAML"
                    + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")")
                    + ": " + reason(e));
        } catch (IOException e) {
            throw new ConfigFileException(file + ": cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        if (document == null || document.isMissingNode() || document.isNull()) {
            throw new ConfigFileException(file + ": is empty");
        }
        List<JsonSchemas.Problem> problems = JsonSchemas.validate(JsonSchemas.load(schemaResource), document);
        if (!problems.isEmpty()) {
            throw new ConfigFileException(problems.stream().map(problem -> file + ": " + problem)
                    .collect(Collectors.joining("\n")));
        }
        return document;
    }

    /**
     * The parser's own reason, with a duplicate key phrased as Caravan always has ({@code Duplicate field 'a'}),
     * whatever the Jackson release calls it.
     */
    private static String reason(JacksonException e) {
        Matcher duplicate = DUPLICATE.matcher(e.getOriginalMessage());
        return duplicate.find() ? "Duplicate field '" + duplicate.group(1) + "'" : e.getOriginalMessage();
    }
}

package io.caravan.config;

import io.caravan.error.ConfigException;
import io.caravan.error.ConfigException.Code;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The one loader of Caravan's YAML configuration files (connector descriptors, vocabularies,
 * partners, policies, purposes, agreements, consent feeds, taxonomies): reads the file, refuses
 * duplicate keys, validates against the file's JSON Schema ({@link JsonSchemas}) and reports every
 * fault as a {@link ConfigException} that names the file and the JSON path, never a value:
 * {@code config/purposes.yaml: $.purposes.analytics.basis: does not have a value in the enumeration [...]}.
 *
 * <p>How a fault of reading is worded is part of each file kind's interface (operators know the
 * texts), so a loader may pass its own {@link Wording}; the reading itself is the same for all.
 * Stateless and thread-safe.
 */
public final class ConfigFiles {
    private static final ObjectMapper YAML = YAMLMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    /** Jackson 3's wording of a refused duplicate key ({@code Duplicate Object property "a"}). */
    private static final Pattern DUPLICATE = Pattern.compile("^Duplicate Object property \"([^\"]*)\"");

    /**
     * The words for a file that is not there and for a file that is not YAML.
     *
     * @param missing what follows {@code <file>: } when the file does not exist
     * @param syntax  the whole message for a file that does not parse, from the file's display name
     *                and the parser's exception (use {@link #position} and {@link #reason}, never
     *                the parser's full message, which may quote the file)
     */
    public record Wording(String missing, SyntaxWording syntax) {
        /** {@code <file>: not found}, {@code <file>: not valid YAML (line 3, column 7): <reason>}. */
        public static final Wording STANDARD = new Wording("not found", (display, e) -> {
            TokenStreamLocation at = e.getLocation();
            return display + ": not valid YAML"
                    + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")")
                    + ": " + reason(e);
        });
    }

    /** Words a parse failure of one file. */
    @FunctionalInterface
    public interface SyntaxWording {
        String describe(String display, JacksonException e);
    }

    private ConfigFiles() {
    }

    /**
     * The file's content, valid against {@code schemaResource} (a class path resource), worded
     * {@link Wording#STANDARD}.
     *
     * @throws ConfigException naming the file and every problem's path; an empty file is invalid
     */
    public static JsonNode read(Path file, String schemaResource) {
        JsonNode document = parse(file, file.toString(), Wording.STANDARD);
        if (document == null || document.isMissingNode() || document.isNull()) {
            throw new ConfigException(Code.INVALID, file + ": is empty");
        }
        List<JsonSchemas.Problem> problems = JsonSchemas.validate(JsonSchemas.load(schemaResource), document);
        if (!problems.isEmpty()) {
            throw new ConfigException(Code.INVALID, problems.stream().map(problem -> file + ": " + problem)
                    .collect(Collectors.joining("\n")));
        }
        return document;
    }

    /**
     * The file's YAML document (null, missing or a null node for an empty file), duplicate keys
     * refused; not validated.
     *
     * @param display how the file is named in messages (usually as configured)
     * @throws ConfigException {@link Code#MISSING} or {@link Code#UNREADABLE}
     */
    public static JsonNode parse(Path file, String display, Wording wording) {
        try (InputStream in = Files.newInputStream(file)) {
            return YAML.readTree(in);
        } catch (NoSuchFileException e) {
            throw new ConfigException(Code.MISSING, display + ": " + wording.missing());
        } catch (JacksonException e) {
            throw new ConfigException(Code.UNREADABLE, wording.syntax().describe(display, e));
        } catch (IOException e) {
            throw new ConfigException(Code.UNREADABLE, display + ": cannot be read (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** Where the parser stopped: {@code line 3, column 7}, or {@code unknown position}. */
    public static String position(JacksonException e) {
        TokenStreamLocation at = e.getLocation();
        return at == null ? "unknown position" : "line " + at.getLineNr() + ", column " + at.getColumnNr();
    }

    /**
     * The parser's own reason, with a duplicate key phrased as Caravan always has
     * ({@code Duplicate field 'a'}), whatever the Jackson release calls it.
     */
    public static String reason(JacksonException e) {
        Matcher duplicate = DUPLICATE.matcher(e.getOriginalMessage());
        return duplicate.find() ? "Duplicate field '" + duplicate.group(1) + "'" : e.getOriginalMessage();
    }
}

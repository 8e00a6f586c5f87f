package io.caravan.connector;

import io.caravan.error.ConfigException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.Schema;
import io.caravan.config.ConfigFiles;
import io.caravan.config.JsonSchemas;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Every connector descriptor in {@code connectors/} ({@code *.yaml}), loaded and validated at
 * start-up against {@code connector.schema.json} and the warehouse contract, with the shared
 * vocabularies of {@code config/vocabularies.yaml}. Any problem stops start-up with a
 * {@link ConfigException} listing each as {@code file: $.path: problem}.
 *
 * <p>Thread-safe. The descriptors change only through {@link #takeOver}, at once (a safe live change of
 * the descriptor files: {@link #reread} loads and validates them beside the running set first); a
 * caller that looks a connector up per batch sees one consistent set.
 */
@Component
public class ConnectorRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectorRegistry.class);
    private static final ObjectMapper YAML = new YAMLMapper();
    private static final ConfigFiles.Wording DESCRIPTOR = new ConfigFiles.Wording("not found", (name, e) ->
            name + ": not readable YAML (" + e.getClass().getSimpleName() + " at " + ConfigFiles.position(e) + ")");
    private static final ConfigFiles.Wording VOCABULARY = new ConfigFiles.Wording("vocabulary file does not exist",
            (name, e) -> name + ": not readable YAML (" + ConfigFiles.position(e) + ")");
    private static final Schema SCHEMA = JsonSchemas.load("/caravan/connector.schema.json");

    private volatile Map<String, ConnectorDescriptor> connectors;
    private volatile Vocabularies vocabularies;
    private final Path connectorsDir;
    private final Path vocabularyFile;
    private final Set<String> formatTypes;

    @Autowired
    ConnectorRegistry(@Value("${caravan.connectors-dir:connectors}") Path connectorsDir,
                      @Value("${caravan.config-dir:config}") Path configDir,
                      List<ReaderFormat> readers) {
        this(connectorsDir, configDir.resolve("vocabularies.yaml"),
                readers.stream().map(ReaderFormat::formatType).collect(Collectors.toSet()));
    }

    /** Loads from the given places; {@code formatTypes} are the readers available. */
    public ConnectorRegistry(Path connectorsDir, Path vocabularyFile, Set<String> formatTypes) {
        this.connectorsDir = connectorsDir;
        this.vocabularyFile = vocabularyFile;
        this.formatTypes = Set.copyOf(formatTypes);
        this.vocabularies = loadVocabularies(vocabularyFile);
        Map<String, ConnectorDescriptor> loaded = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        for (Path file : descriptorFiles(connectorsDir)) {
            String name = display(file);
            try {
                new DescriptorParser(name, vocabularies, formatTypes, problems).parse(file, ConfigFiles.parse(file, name, DESCRIPTOR))
                        .ifPresent(d -> {
                            ConnectorDescriptor clash = loaded.putIfAbsent(d.id(), d);
                            if (clash != null) {
                                problems.add(name + ": $.id: connector id '" + d.id() + "' is already used by " + display(clash.file()));
                            }
                        });
            } catch (ConfigException e) {
                problems.add(e.getMessage());
            } catch (JacksonException e) {
                problems.add(DESCRIPTOR.syntax().describe(name, e));
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(ConfigException.Code.INVALID, "connector descriptors", problems);
        }
        this.connectors = Map.copyOf(loaded);
        LOG.info("Loaded {} connector descriptor(s) from {}: {}", connectors.size(), connectorsDir, String.join(", ", loaded.keySet()));
    }

    /**
     * The descriptors and vocabularies on disk now, loaded and validated from the same places as this
     * registry, which is left unchanged.
     *
     * @throws ConfigException listing every problem as {@code file: $.path: problem}
     */
    public ConnectorRegistry reread() {
        return new ConnectorRegistry(connectorsDir, vocabularyFile, formatTypes);
    }

    /** A registry holding the descriptors and vocabularies this one holds now (to swap back to). */
    public synchronized ConnectorRegistry snapshot() {
        return new ConnectorRegistry(this);
    }

    private ConnectorRegistry(ConnectorRegistry other) {
        this.connectorsDir = other.connectorsDir;
        this.vocabularyFile = other.vocabularyFile;
        this.formatTypes = other.formatTypes;
        this.vocabularies = other.vocabularies;
        this.connectors = other.connectors;
    }

    /** Takes over the descriptors and vocabularies of {@code other} (from {@link #reread}); later look-ups see them. */
    public synchronized void takeOver(ConnectorRegistry other) {
        this.vocabularies = other.vocabularies;
        this.connectors = other.connectors;
    }

    /** Where the descriptors are read from. */
    public Path directory() {
        return connectorsDir;
    }

    public Optional<ConnectorDescriptor> find(String id) {
        return Optional.ofNullable(connectors.get(id));
    }

    /** The connector, or an error naming the known ones (for a route that names a wrong id). */
    public ConnectorDescriptor get(String id) {
        return find(id).orElseThrow(() -> new IllegalArgumentException("unknown connector '" + id
                + "'; known connectors: " + String.join(", ", new TreeMap<>(connectors).keySet())));
    }

    public Collection<ConnectorDescriptor> all() {
        return connectors.values();
    }

    public Vocabularies vocabularies() {
        return vocabularies;
    }

    /** Validates one descriptor document against the JSON Schema; each message as {@code $.path: problem}. */
    public static List<String> schemaProblems(JsonNode document) {
        return JsonSchemas.validate(SCHEMA, document).stream().map(ConnectorRegistry::describe).toList();
    }

    private static String describe(JsonSchemas.Problem problem) {
        String path = problem.path();
        JsonNode node = problem.node();
        String last = path.substring(path.lastIndexOf('.') + 1);
        return switch (problem.keyword()) {
            case "enum" -> path + ": unknown " + last + " '" + (node != null && node.isString() ? node.asString() : String.valueOf(node))
                    + "'" + validValues(problem.message());
            case "additionalProperties" -> path + ": unknown property '" + problem.property() + "'";
            case "required" -> path + ": missing required property '" + problem.property() + "'";
            default -> problem.toString();
        };
    }

    /** {@code " (valid: a, b, c)"} from the validator's enum message, which lists the schema's values. */
    private static String validValues(String enumMessage) {
        int open = enumMessage.indexOf('[');
        int close = enumMessage.lastIndexOf(']');
        if (open < 0 || close < open) {
            return "";
        }
        return " (valid: " + enumMessage.substring(open + 1, close).replace("\"", "").replace(",", ", ")
                .replaceAll(",\\s+", ", ") + ")";
    }

    private static List<Path> descriptorFiles(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new ConfigException(ConfigException.Code.MISSING, dir + ": connectors directory does not exist");
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
                    .filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    private static Vocabularies loadVocabularies(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(ConfigException.Code.MISSING, display(file) + ": vocabulary file does not exist");
        }
        try {
            JsonNode root = ConfigFiles.parse(file, display(file), VOCABULARY);
            JsonNode vocabularies = root == null ? null : root.get("vocabularies");
            if (vocabularies == null || !vocabularies.isObject()) {
                throw new ConfigException(ConfigException.Code.INVALID, display(file) + ": $.vocabularies: missing (a map of vocabulary → value → spellings)");
            }
            Map<String, Map<String, List<String>>> definitions = YAML.convertValue(vocabularies, new TypeReference<>() { });
            return Vocabularies.of(definitions);
        } catch (JacksonException e) {
            throw new ConfigException(ConfigException.Code.UNREADABLE, VOCABULARY.syntax().describe(display(file), e));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(ConfigException.Code.INVALID, display(file) + ": $.vocabularies: " + e.getMessage());
        }
    }

    static String display(Path file) {
        Path cwd = Path.of("").toAbsolutePath();
        Path abs = file.toAbsolutePath().normalize();
        return abs.startsWith(cwd) ? cwd.relativize(abs).toString() : abs.toString();
    }

    /** Turns one validated document into a descriptor, collecting problems with their paths. */
    private static final class DescriptorParser {
        private final String file;
        private final Vocabularies shared;
        private final Set<String> formatTypes;
        private final List<String> problems;

        DescriptorParser(String file, Vocabularies shared, Set<String> formatTypes, List<String> problems) {
            this.file = file;
            this.shared = shared;
            this.formatTypes = formatTypes;
            this.problems = problems;
        }

        Optional<ConnectorDescriptor> parse(Path path, JsonNode doc) {
            if (doc == null || !doc.isObject()) {
                problem("$", "a connector descriptor must be a YAML map");
                return Optional.empty();
            }
            List<String> schema = schemaProblems(doc);
            if (!schema.isEmpty()) {
                schema.forEach(p -> problems.add(file + ": " + p));
                return Optional.empty();
            }
            int before = problems.size();
            WarehouseTable table = WarehouseTable.byName(doc.get("record").asString()).orElseThrow();
            Vocabularies vocabularies = shared;
            if (doc.has("vocabularies")) {
                try {
                    vocabularies = shared.with(YAML.convertValue(doc.get("vocabularies"), new TypeReference<>() { }));
                } catch (IllegalArgumentException e) {
                    problem("$.vocabularies", e.getMessage());
                }
            }
            FormatSpec format = format(doc.get("format"));
            Map<String, FieldSpec> fields = fields(doc.get("fields"), table, vocabularies);
            Map<String, Object> constants = constants(doc.get("constants"), table);
            List<String> naturalKey = naturalKey(doc.get("naturalKey"), fields, constants);
            JsonNode identity = doc.path("identity");
            List<String> subjectOrder = new ArrayList<>();
            identity.path("subjectOrder").forEach(n -> subjectOrder.add(n.asString()));
            if (subjectOrder.isEmpty()) {
                subjectOrder.addAll(List.of("email", "phone"));
            }
            String phoneRegion = identity.path("phoneRegion").asText("DE");
            JsonNode limits = doc.path("limits");
            GateSpec gates = gates(doc.path("gates"), fields);
            if (problems.size() > before) {
                return Optional.empty();
            }
            return Optional.of(new ConnectorDescriptor(
                    doc.get("id").asString(), doc.get("title").asString(), doc.path("description").asText(""),
                    doc.get("partner").asString(), doc.get("dataClass").asString(), table, format, phoneRegion,
                    identity.path("vinCheckDigit").asBoolean(false), subjectOrder, naturalKey, fields, constants,
                    vocabularies, limits.path("maxFileBytes").asLong(512L * 1024 * 1024),
                    limits.path("maxFieldChars").asInt(65_536), doc.hasNonNull("schedule") ? doc.get("schedule").asString() : null,
                    doc.path("source"), path, strings(identity.path("phoneRegionFrom")), gates));
        }

        /** The gates, with their cross-checks: a checked date field must be a date or timestamp field of the descriptor. */
        private GateSpec gates(JsonNode node, Map<String, FieldSpec> fields) {
            GateSpec gates;
            try {
                gates = GateSpec.from(node);
            } catch (IllegalArgumentException e) {
                problem("$.gates", e.getMessage());
                return GateSpec.DEFAULTS;
            }
            for (String field : gates.dates().fields()) {
                FieldSpec spec = fields.get(field);
                if (spec == null || (spec.type() != FieldType.DATE && spec.type() != FieldType.TIMESTAMP)) {
                    problem("$.gates.dates.fields", "'" + field + "' is not a date or timestamp field of this descriptor");
                }
            }
            return gates;
        }

        private FormatSpec format(JsonNode node) {
            String type = node.get("type").asString();
            if (!formatTypes.contains(type)) {
                problem("$.format.type", "no reader for format '" + type + "' is installed (have: " + String.join(", ", new TreeMap<>(
                        formatTypes.stream().collect(Collectors.toMap(t -> t, t -> t))).keySet()) + ")");
            }
            Charset charset = option(node, "charset", Charset.forName("UTF-8"), Charset::forName, "charset");
            ZoneId zone = option(node, "zone", ZoneId.of("Europe/Berlin"), ZoneId::of, "time zone");
            return new FormatSpec(type, charset, node.path("delimiter").asText(",").charAt(0),
                    node.path("quote").asText("\"").charAt(0), node.path("header").asBoolean(true),
                    node.get("columns"), node.path("decimalSeparator").asText(".").charAt(0),
                    patterns(node.get("datePattern"), "$.format.datePattern", List.of("uuuu-MM-dd")),
                    patterns(node.get("timestampPattern"), "$.format.timestampPattern", List.of()), zone,
                    node.hasNonNull("records") ? node.get("records").asString() : null, node);
        }

        /** {@code $.format.<key>} parsed, or {@code fallback} when absent or (a problem noted) unknown. */
        private <T> T option(JsonNode format, String key, T fallback, Function<String, T> parse, String what) {
            if (!format.has(key)) {
                return fallback;
            }
            String text = format.get(key).asString();
            try {
                return parse.apply(text);
            } catch (RuntimeException e) {
                problem("$.format." + key, "unknown " + what + " '" + text + "'");
                return fallback;
            }
        }

        private List<DateTimeFormatter> patterns(JsonNode node, String path, List<String> defaults) {
            List<String> texts = new ArrayList<>();
            if (node == null) {
                texts.addAll(defaults);
            } else if (node.isArray()) {
                node.forEach(n -> texts.add(n.asString()));
            } else {
                texts.add(node.asString());
            }
            List<DateTimeFormatter> result = new ArrayList<>();
            for (String text : texts) {
                try {
                    // 'yyyy' is year-of-era; strict resolving needs 'uuuu' for plain years
                    result.add(DateTimeFormatter.ofPattern(text.replace("yyyy", "uuuu").replace("yy", "uu"))
                            .withResolverStyle(ResolverStyle.STRICT));
                } catch (IllegalArgumentException e) {
                    problem(path, "invalid pattern '" + text + "'");
                }
            }
            return result;
        }

        private Map<String, FieldSpec> fields(JsonNode node, WarehouseTable table, Vocabularies vocabularies) {
            Map<String, FieldSpec> fields = new LinkedHashMap<>();
            node.properties().forEach(e -> {
                String name = e.getKey();
                JsonNode spec = e.getValue();
                String path = "$.fields." + name;
                FieldType type = FieldType.of(spec.get("type").asString());
                CanonicalFields.incompatibility(table, name, type).ifPresent(p -> problem(path + ".type", p));
                String vocabulary = spec.hasNonNull("vocabulary") ? spec.get("vocabulary").asString() : null;
                if (type == FieldType.VOCABULARY) {
                    if (vocabulary == null) {
                        problem(path + ".vocabulary", "a vocabulary field must name its vocabulary");
                    } else if (!vocabularies.has(vocabulary)) {
                        problem(path + ".vocabulary", "unknown vocabulary '" + vocabulary + "' (valid: "
                                + String.join(", ", vocabularies.names()) + ")");
                    }
                } else if (vocabularies.has(name) && !CanonicalFields.isPersonal(name)) {
                    problem(path + ".type", "field '" + name + "' has a fixed vocabulary: use type vocabulary with vocabulary " + name);
                }
                if (vocabularies.has(name) && vocabulary != null && !vocabulary.equals(name)) {
                    problem(path + ".vocabulary", "field '" + name + "' must use vocabulary '" + name + "'");
                }
                Pattern pattern = null;
                if (spec.hasNonNull("pattern")) {
                    try {
                        pattern = Pattern.compile(spec.get("pattern").asString());
                    } catch (PatternSyntaxException ex) {
                        problem(path + ".pattern", "invalid regular expression");
                    }
                }
                fields.put(name, new FieldSpec(name, spec.hasNonNull("column") ? spec.get("column").asString() : name, type,
                        spec.path("required").asBoolean(false), vocabulary, pattern,
                        spec.has("scale") ? spec.get("scale").asInt() : null,
                        strings(spec.get("trueValues")), strings(spec.get("falseValues")),
                        spec.has("maxLength") ? spec.get("maxLength").asInt() : null));
            });
            return fields;
        }

        private Map<String, Object> constants(JsonNode node, WarehouseTable table) {
            Map<String, Object> constants = new LinkedHashMap<>();
            if (node == null) {
                return constants;
            }
            node.properties().forEach(e -> {
                String name = e.getKey();
                if (CanonicalFields.isPersonal(name) || !CanonicalFields.business(table).containsKey(name)) {
                    problem("$.constants." + name, "not a non-personal column of table " + table.tableName());
                    return;
                }
                JsonNode v = e.getValue();
                constants.put(name, v.isBoolean() ? v.booleanValue() : v.isIntegralNumber() ? (Object) v.longValue()
                        : v.isNumber() ? v.decimalValue() : v.asString());
            });
            return constants;
        }

        private List<String> naturalKey(JsonNode node, Map<String, FieldSpec> fields, Map<String, Object> constants) {
            List<String> key = new ArrayList<>();
            for (int i = 0; i < node.size(); i++) {
                String name = node.get(i).asString();
                if (CanonicalFields.isPersonal(name)) {
                    problem("$.naturalKey[" + i + "]", "a natural key must not use the personal field '" + name + "'");
                } else if (!fields.containsKey(name) && !constants.containsKey(name)) {
                    problem("$.naturalKey[" + i + "]", "field '" + name + "' is not defined in fields or constants");
                }
                key.add(name);
            }
            return key;
        }

        private static List<String> strings(JsonNode node) {
            if (node == null) {
                return null;
            }
            List<String> list = new ArrayList<>();
            node.forEach(n -> list.add(n.asString()));
            return list;
        }

        private void problem(String path, String message) {
            problems.add(file + ": " + path + ": " + message);
        }
    }
}

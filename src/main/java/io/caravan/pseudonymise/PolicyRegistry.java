package io.caravan.pseudonymise;

import io.caravan.config.ConfigFiles;
import io.caravan.error.ConfigException;
import tools.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The privacy policies of {@code config/policies.yaml}, validated when loaded:
 * <ul>
 *   <li>structure against {@code policies.schema.json} (ids, known actions, band lists);</li>
 *   <li>names, street addresses and free-text comments ({@link #DROP_ONLY}) may only be dropped;</li>
 *   <li>raw e-mail, phone and VIN ({@link #NEVER_KEPT}) may be hmac'd, encrypted or dropped, not kept;</li>
 *   <li>{@code generalise} only where a rule exists (postcode, birth_date, {@code *_amount});</li>
 *   <li>a field is named once (keep list or fields map), no two fields write the same column,
 *       policy ids are unique, band bounds ascend.</li>
 * </ul>
 * Every problem is a {@link ConfigException} naming the file and the path. Immutable after
 * loading, thread-safe.
 */
public final class PolicyRegistry {
    /** Fields every policy must drop: names, street addresses and free-text comments. */
    public static final Set<String> DROP_ONLY = Set.of(
            "first_name", "middle_name", "last_name", "full_name", "name",
            "street", "house_number", "address", "comment");
    /** Identifiers that no table may hold raw. */
    public static final Set<String> NEVER_KEPT = Set.of("email", "phone", "vin");

    private static final String SCHEMA = "/io/caravan/pseudonymise/policies.schema.json";

    private final Path file;
    private final Map<String, Policy> policies;

    private PolicyRegistry(Path file, Map<String, Policy> policies) {
        this.file = file;
        this.policies = Collections.unmodifiableMap(policies);
    }

    /** Loads and validates a policies file. */
    public static PolicyRegistry load(Path file) {
        JsonNode root = ConfigFiles.read(file, SCHEMA);
        List<String> problems = new ArrayList<>();
        Map<String, Policy> policies = new LinkedHashMap<>();
        JsonNode list = root.get("policies");
        for (int i = 0; i < list.size(); i++) {
            String at = "$.policies[" + i + "]";
            Policy policy = parse(list.get(i), at, problems);
            if (policies.containsKey(policy.id())) {
                problems.add(at + ".id: duplicate policy id '" + policy.id() + "'");
            }
            policies.putIfAbsent(policy.id(), policy);
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(ConfigException.Code.INVALID, String.join("\n", problems.stream().map(p -> file + ": " + p).toList()));
        }
        return new PolicyRegistry(file, policies);
    }

    private static Policy parse(JsonNode node, String at, List<String> problems) {
        Map<String, FieldAction> actions = new LinkedHashMap<>();
        Map<String, String> namedAt = new HashMap<>();
        JsonNode keep = node.path("keep");
        for (int i = 0; i < keep.size(); i++) {
            String field = keep.get(i).asString();
            namedAt.put(field, at + ".keep[" + i + "]");
            actions.put(field, FieldAction.KEEP);
        }
        node.path("fields").properties().forEach(entry -> {
            String field = entry.getKey();
            String path = at + ".fields." + field;
            if (actions.containsKey(field)) {
                problems.add(path + ": field '" + field + "' is already named at " + namedAt.get(field));
                return;
            }
            namedAt.put(field, path);
            actions.put(field, FieldAction.valueOf(entry.getValue().asString().toUpperCase(java.util.Locale.ROOT)));
        });

        Map<String, String> columns = new HashMap<>();
        actions.forEach((field, action) -> {
            String path = namedAt.get(field);
            if (DROP_ONLY.contains(field) && action != FieldAction.DROP) {
                problems.add(path + ": names, street addresses and free-text comments may only be dropped"
                        + " (found '" + action.yamlName() + "')");
            } else if (NEVER_KEPT.contains(field) && action == FieldAction.KEEP) {
                problems.add(path + ": a raw " + field + " may not be kept; use hmac, encrypt or drop");
            } else if (action == FieldAction.GENERALISE && !Generalisation.supports(field)) {
                problems.add(path + ": no generalisation for '" + field
                        + "' (supported: postcode, birth_date, <name>_amount)");
            } else if (action != FieldAction.DROP) {
                String column = action.outputColumn(field);
                String other = columns.putIfAbsent(column, path);
                if (other != null) {
                    problems.add(path + ": writes column '" + column + "', as does " + other);
                } else if (column.equals(PolicyPseudonymiser.SUBJECT_TOKEN)) {
                    problems.add(path + ": column 'subject_token' is reserved for the subject's token");
                }
            }
        });

        Map<String, AmountBands> bands = new HashMap<>();
        node.path("bands").properties().forEach(entry -> {
            String path = at + ".bands." + entry.getKey();
            List<BigDecimal> bounds = new ArrayList<>();
            entry.getValue().forEach(n -> bounds.add(n.decimalValue()));
            try {
                bands.put(entry.getKey(), new AmountBands(bounds));
            } catch (IllegalArgumentException e) {
                problems.add(path + ": " + e.getMessage());
            }
            if (actions.get(entry.getKey()) != FieldAction.GENERALISE) {
                problems.add(path + ": bands given for a field the policy does not generalise");
            }
        });
        java.util.Set<String> encryptAlso = new java.util.LinkedHashSet<>();
        JsonNode alsoEncrypted = node.path("encryptAlso");
        for (int i = 0; i < alsoEncrypted.size(); i++) {
            String field = alsoEncrypted.get(i).asString();
            String path = at + ".encryptAlso[" + i + "]";
            if (actions.get(field) != FieldAction.HMAC) {
                problems.add(path + ": '" + field + "' is also encrypted only beside its token; name it with hmac in fields");
            } else if (columns.containsKey(FieldAction.ENCRYPT.outputColumn(field))) {
                problems.add(path + ": writes column '" + FieldAction.ENCRYPT.outputColumn(field) + "', as does "
                        + columns.get(FieldAction.ENCRYPT.outputColumn(field)));
            } else {
                encryptAlso.add(field);
            }
        }
        return new Policy(node.get("id").asString(), node.get("keyDomain").asString(), actions, bands,
                io.caravan.connector.DataClass.of(node.path("dataClasses").valueStream().map(JsonNode::asString).toList(),
                        io.caravan.connector.DataClass.all()), encryptAlso);
    }

    /** The policy with this id. */
    public Optional<Policy> find(String id) {
        return Optional.ofNullable(policies.get(id));
    }

    /** Every policy, in file order. */
    public List<Policy> all() {
        return List.copyOf(policies.values());
    }

    /** The file the policies came from (for messages). */
    public Path file() {
        return file;
    }

    @Override
    public String toString() {
        return "PolicyRegistry[" + file + ": " + policies.keySet() + "]";
    }
}

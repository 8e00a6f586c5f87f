package io.caravan.governance;

import io.caravan.connector.ColumnType;
import io.caravan.connector.ConnectorDescriptor;
import io.caravan.connector.ConnectorRegistry;
import io.caravan.connector.FieldSpec;
import io.caravan.connector.FieldType;
import io.caravan.connector.WarehouseTable;
import io.caravan.consent.Purpose;
import io.caravan.consent.PurposeRegistry;
import io.caravan.deliver.Agreement;
import io.caravan.deliver.AgreementRegistry;
import io.caravan.deliver.ExportAttachment;
import io.caravan.pseudonymise.FieldAction;
import io.caravan.pseudonymise.Policy;
import io.caravan.pseudonymise.PolicyRegistry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Open Data Contract Standard (ODCS v3.1.0) contracts generated from the sharing agreements: one
 * contract per agreement (id = agreement id), with
 * <ul>
 *   <li>the schema of the exported dataset: each column's logical type (ODCS) and physical type
 *       (PostgreSQL), {@code required} where every connector writing the table requires the source
 *       field (or it is part of the natural key), and a {@code classification} for each token
 *       ({@code pseudonymised-token}), encrypted ({@code encrypted}) or generalised
 *       ({@code generalised}) column, with the transformation that made it;</li>
 *   <li>the quality rules the connectors already enforce, as ODCS library rules: required fields
 *       ({@code nullValues} must be 0), fixed vocabularies and patterns ({@code invalidValues} must
 *       be 0);</li>
 *   <li>the SLA: schedule ({@code frequency}), freshness ({@code latency}: the export is a snapshot of
 *       the warehouse at export time), the warehouse retention and the end of validity
 *       ({@code endOfLife} = {@code validUntil});</li>
 *   <li>the purpose and legal basis, the policy, key domain, format and transport, and the
 *       controller's and DPO's contacts as support channels.</li>
 * </ul>
 * Configuration names only: never a row value, a key, a key id or a password. Also the
 * {@link ExportAttachment} that writes the contract beside each export as {@code <file>.odcs.yaml}.
 * Deterministic and thread-safe.
 */
public final class DataContracts implements ExportAttachment {
    static final String SUFFIX = ".odcs.yaml";
    private static final ObjectMapper YAML = YAMLMapper.builder().build();

    private final AgreementRegistry agreements;
    private final PolicyRegistry policies;
    private final PurposeRegistry purposes;
    private final ConnectorRegistry connectors;
    private final Map<String, String> retention;
    private final Supplier<ProcessingRecord.Contact> controller;
    private final Supplier<ProcessingRecord.Contact> dpo;

    DataContracts(AgreementRegistry agreements, PolicyRegistry policies, PurposeRegistry purposes, ConnectorRegistry connectors,
                  Map<String, String> retention, Supplier<ProcessingRecord.Contact> controller,
                  Supplier<ProcessingRecord.Contact> dpo) {
        this.agreements = agreements;
        this.policies = policies;
        this.purposes = purposes;
        this.connectors = connectors;
        this.retention = Map.copyOf(retention);
        this.controller = controller;
        this.dpo = dpo;
    }

    /** One contract in the list. */
    record Summary(String id, String name, String partner, String dataset, String purpose, String validUntil, String href) {
    }

    List<Summary> list() {
        return agreements.all().stream().map(a -> new Summary(a.id(), a.title(), a.partner(), a.table(), a.purpose(),
                a.validUntil().toString(), "/api/contracts/" + a.id())).toList();
    }

    /** The contract of agreement {@code id} as YAML, if there is such an agreement. */
    Optional<String> yaml(String id) {
        return agreements.find(id).map(this::contract).map(YAML::writeValueAsString);
    }

    @Override
    public String suffix() {
        return SUFFIX;
    }

    @Override
    public byte[] content(Agreement agreement) {
        return YAML.writeValueAsString(contract(agreement)).getBytes(StandardCharsets.UTF_8);
    }

    /** The contract as a tree of maps and lists, in ODCS property order. */
    Map<String, Object> contract(Agreement agreement) {
        Optional<Policy> policy = policies.find(agreement.policy());
        Purpose purpose = purposes.require(agreement.purpose());
        Optional<WarehouseTable> table = WarehouseTable.byName(agreement.table());
        List<ConnectorDescriptor> writers = table.map(t -> connectors.all().stream().filter(c -> c.table() == t)
                .sorted(java.util.Comparator.comparing(ConnectorDescriptor::id)).toList()).orElse(List.of());

        Map<String, Object> contract = new LinkedHashMap<>();
        contract.put("apiVersion", "v3.1.0");
        contract.put("kind", "DataContract");
        contract.put("id", agreement.id());
        contract.put("name", agreement.title());
        contract.put("version", "1.0.0");
        contract.put("status", "active");
        contract.put("domain", "caravan");
        contract.put("tags", List.of("caravan", "sharing-agreement", agreement.partner()));
        Map<String, Object> description = new LinkedHashMap<>();
        description.put("purpose", purpose.id() + " (" + purpose.title() + ", legal basis " + purpose.basis().dbName() + "): "
                + purpose.description());
        description.put("usage", "Exported to partner " + agreement.partner() + " as " + agreement.format().extension()
                + " over " + agreement.transport().kind() + " under policy " + agreement.policy()
                + "; consent for " + purpose.id() + " is checked on every row at export time.");
        description.put("limitations", "Only the listed columns. Every *_token column is HMAC-SHA256 with the partner's own"
                + " key (key domain " + policy.map(Policy::keyDomain).orElse(agreement.partner()) + ") over the warehouse"
                + " token: it joins with nothing outside this partner's exports. Exports stop after "
                + agreement.validUntil() + ".");
        contract.put("description", description);

        Map<String, Object> object = new LinkedHashMap<>();
        object.put("name", agreement.table());
        object.put("physicalName", "caravan." + agreement.table());
        object.put("physicalType", table.isPresent() ? "table" : "view");
        object.put("logicalType", "object");
        object.put("description", "The rows of caravan." + agreement.table() + " the partner receives, one export file per run.");
        List<Object> properties = new ArrayList<>();
        for (String column : agreement.columns()) {
            properties.add(property(column, table, policy, writers));
        }
        object.put("properties", properties);
        List<String> naturalKey = writers.isEmpty() ? List.of() : writers.get(0).naturalKey();
        if (!writers.isEmpty() && agreement.columns().containsAll(naturalKey)
                && writers.stream().allMatch(w -> w.naturalKey().equals(naturalKey))) {
            Map<String, Object> unique = new LinkedHashMap<>();
            unique.put("name", "natural-key-unique");
            unique.put("description", "one row per natural key " + naturalKey + " per connector (record_key)");
            unique.put("dimension", "uniqueness");
            unique.put("type", "library");
            unique.put("metric", "duplicateValues");
            unique.put("arguments", Map.of("properties", naturalKey));
            unique.put("mustBe", 0);
            object.put("quality", List.of(unique));
        }
        contract.put("schema", List.of(object));

        List<Object> support = new ArrayList<>();
        contact(support, "controller", controller.get());
        contact(support, "data-protection-officer", dpo.get());
        if (!support.isEmpty()) {
            contract.put("support", support);
        }
        ProcessingRecord.Contact owner = controller.get();
        if (owner != null && owner.email() != null) {
            Map<String, Object> team = new LinkedHashMap<>();
            team.put("name", owner.name() == null ? "controller" : owner.name());
            team.put("members", List.of(Map.of("username", owner.email(), "role", "controller")));
            contract.put("team", team);
        }

        List<Object> sla = new ArrayList<>();
        if (agreement.schedule() != null) {
            sla.add(sla("frequency", agreement.schedule(), null, "Quartz cron of the export (sec min hour day month weekday)",
                    agreement.schedule()));
        }
        sla.add(sla("latency", 0, "d", "freshness: each export is a snapshot of the warehouse when it starts;"
                + " every row committed before then is included", null));
        String age = retention.get(agreement.table());
        if (age != null && RecordBuilder.seconds(age) >= 0) {
            sla.add(sla("retention", RecordBuilder.seconds(age) / 86_400, "d", "rows older than this are deleted from"
                    + " caravan." + agreement.table() + " (caravan.retention.tables)", null));
        }
        sla.add(sla("endOfLife", agreement.validUntil().toString(), null,
                "validUntil: the last day (UTC) an export runs; later runs are refused", null));
        contract.put("slaProperties", sla);

        List<Object> custom = new ArrayList<>();
        custom.add(custom("partner", agreement.partner()));
        custom.add(custom("purpose", purpose.id()));
        custom.add(custom("legalBasis", purpose.basis().dbName()));
        custom.add(custom("policy", agreement.policy()));
        custom.add(custom("keyDomain", policy.map(Policy::keyDomain).orElse(agreement.partner())));
        custom.add(custom("format", agreement.format().extension()));
        custom.add(custom("transport", agreement.transport().kind()));
        custom.add(custom("validUntil", agreement.validUntil().toString()));
        contract.put("customProperties", custom);
        return contract;
    }

    private Map<String, Object> property(String column, Optional<WarehouseTable> table, Optional<Policy> policy,
                                         List<ConnectorDescriptor> writers) {
        ColumnType type = table.map(t -> t.columns().getOrDefault(column, WarehouseTable.ENVELOPE.get(column))).orElse(null);
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("name", column);
        p.put("physicalName", column);
        p.put("logicalType", logical(type));
        p.put("physicalType", type == null ? "text" : physical(type));
        // the field this column comes from, and what the policy did to it
        String field = column;
        FieldAction action = FieldAction.KEEP;
        Set<String> sources = new TreeSet<>();
        if (column.equals("subject_token")) {
            action = FieldAction.HMAC;
            writers.forEach(w -> sources.addAll(w.subjectOrder()));
        } else if (policy.isPresent()) {
            for (Map.Entry<String, FieldAction> a : policy.get().actions().entrySet()) {
                if (a.getValue() != FieldAction.DROP && column.equals(a.getValue().outputColumn(a.getKey()))) {
                    field = a.getKey();
                    action = a.getValue();
                }
            }
        }
        if (!column.equals("subject_token")) {
            sources.add(field);
        }
        boolean required = !writers.isEmpty() && writers.stream().allMatch(w -> required(w, column.equals("subject_token")
                ? null : fieldName(column, sourcesFirst(sources))));
        p.put("required", required);
        switch (action) {
            case HMAC -> {
                p.put("classification", "pseudonymised-token");
                p.put("transformSourceObjects", List.copyOf(sources));
                p.put("transformLogic", "HMAC-SHA256(partner key, warehouse token); warehouse token = HMAC-SHA256(warehouse key,"
                        + " normalised value)");
                p.put("transformDescription", "pseudonymised: joins only with this partner's other exports");
            }
            case ENCRYPT -> {
                p.put("classification", "encrypted");
                p.put("transformSourceObjects", List.copyOf(sources));
                p.put("transformLogic", "AES-SIV (RFC 5297), deterministic, key held by the controller");
            }
            case GENERALISE -> {
                p.put("classification", "generalised");
                p.put("transformSourceObjects", List.copyOf(sources));
                p.put("transformLogic", field + " -> " + column);
                p.put("transformDescription", "generalised: postcode to its first two characters, birth date to year,"
                        + " amounts to bands");
            }
            default -> p.put("classification", "internal");
        }
        List<Object> quality = quality(field, writers);
        if (!quality.isEmpty()) {
            p.put("quality", quality);
        }
        return p;
    }

    private static String sourcesFirst(Set<String> sources) {
        return sources.isEmpty() ? null : sources.iterator().next();
    }

    private static String fieldName(String column, String field) {
        return field == null ? column : field;
    }

    /** Whether the connector always fills {@code field}: required, a constant or part of the natural key. */
    private static boolean required(ConnectorDescriptor writer, String field) {
        if (field == null) {
            return false; // subject_token: a record may have no e-mail and no phone
        }
        FieldSpec spec = writer.fields().get(field);
        return writer.constants().containsKey(field) || writer.naturalKey().contains(field) || (spec != null && spec.required());
    }

    /** The checks every writing connector enforces on {@code field}, as ODCS library rules. */
    private List<Object> quality(String field, List<ConnectorDescriptor> writers) {
        List<Object> rules = new ArrayList<>();
        if (writers.isEmpty()) {
            return rules;
        }
        if (writers.stream().allMatch(w -> w.fields().containsKey(field) && w.fields().get(field).required())) {
            Map<String, Object> rule = new LinkedHashMap<>();
            rule.put("name", field + "-required");
            rule.put("description", "rows without " + field + " are rejected at ingest by connector(s) " + ids(writers));
            rule.put("dimension", "completeness");
            rule.put("type", "library");
            rule.put("metric", "nullValues");
            rule.put("mustBe", 0);
            rules.add(rule);
        }
        Set<String> vocabularies = new TreeSet<>();
        writers.forEach(w -> Optional.ofNullable(w.fields().get(field)).filter(s -> s.type() == FieldType.VOCABULARY)
                .map(FieldSpec::vocabulary).ifPresent(vocabularies::add));
        if (vocabularies.size() == 1 && writers.stream().allMatch(w -> w.fields().containsKey(field))) {
            String vocabulary = vocabularies.iterator().next();
            Map<String, Object> rule = new LinkedHashMap<>();
            rule.put("name", field + "-vocabulary");
            rule.put("description", "values of the fixed vocabulary " + vocabulary + " (config/vocabularies.yaml);"
                    + " other spellings are rejected at ingest");
            rule.put("dimension", "conformity");
            rule.put("type", "library");
            rule.put("metric", "invalidValues");
            rule.put("arguments", Map.of("validValues", List.copyOf(new TreeSet<>(connectors.vocabularies().values(vocabulary)))));
            rule.put("mustBe", 0);
            rules.add(rule);
        }
        Set<String> patterns = new TreeSet<>();
        writers.forEach(w -> Optional.ofNullable(w.fields().get(field)).map(FieldSpec::pattern)
                .ifPresent(p -> patterns.add(p.pattern())));
        if (patterns.size() == 1 && writers.stream().allMatch(w -> w.fields().containsKey(field)
                && w.fields().get(field).pattern() != null)) {
            Map<String, Object> rule = new LinkedHashMap<>();
            rule.put("name", field + "-pattern");
            rule.put("description", "rows whose " + field + " does not match the connector's pattern are rejected at ingest");
            rule.put("dimension", "conformity");
            rule.put("type", "library");
            rule.put("metric", "invalidValues");
            rule.put("arguments", Map.of("pattern", patterns.iterator().next()));
            rule.put("mustBe", 0);
            rules.add(rule);
        }
        return rules;
    }

    private static String ids(List<ConnectorDescriptor> writers) {
        return String.join(", ", writers.stream().map(ConnectorDescriptor::id).toList());
    }

    private static void contact(List<Object> support, String channel, ProcessingRecord.Contact contact) {
        if (contact == null || contact.email() == null) {
            return;
        }
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("channel", channel);
        item.put("tool", "email");
        item.put("url", "mailto:" + contact.email());
        if (contact.name() != null) {
            item.put("description", contact.name());
        }
        support.add(item);
    }

    private static Map<String, Object> sla(String property, Object value, String unit, String description, String schedule) {
        Map<String, Object> sla = new LinkedHashMap<>();
        sla.put("property", property);
        sla.put("value", value);
        if (unit != null) {
            sla.put("unit", unit);
        }
        sla.put("description", description);
        if (schedule != null) {
            sla.put("scheduler", "quartz");
            sla.put("schedule", schedule);
        }
        return sla;
    }

    private static Map<String, Object> custom(String property, String value) {
        Map<String, Object> custom = new LinkedHashMap<>();
        custom.put("property", property);
        custom.put("value", value);
        return custom;
    }

    private static String logical(ColumnType type) {
        if (type == null) {
            return "string";
        }
        return switch (type) {
            case TEXT -> "string";
            case INT, BIGINT -> "integer";
            case NUMERIC -> "number";
            case DATE -> "date";
            case TIMESTAMPTZ -> "timestamp";
            case BOOLEAN -> "boolean";
        };
    }

    private static String physical(ColumnType type) {
        return switch (type) {
            case TEXT -> "text";
            case INT -> "integer";
            case BIGINT -> "bigint";
            case NUMERIC -> "numeric";
            case DATE -> "date";
            case TIMESTAMPTZ -> "timestamptz";
            case BOOLEAN -> "boolean";
        };
    }
}

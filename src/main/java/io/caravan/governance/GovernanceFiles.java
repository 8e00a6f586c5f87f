package io.caravan.governance;

import io.caravan.config.ConfigFiles;
import io.caravan.error.ConfigException;
import io.caravan.governance.RecordInputs.FeedInfo;
import io.caravan.governance.RecordInputs.PartnerInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;

/**
 * Reads what the record needs from {@code config/partners.yaml} (name and declared country),
 * {@code config/consent-feeds.yaml} (partner, identifiers, purposes) and {@code config/tcf.yaml},
 * with the schemas their own loaders use ({@link ConfigFiles}: file and path in every error). A
 * missing file reads as empty. Stateless and thread-safe.
 */
final class GovernanceFiles {
    static final String PARTNERS_SCHEMA = "/io/caravan/exchange/partners.schema.json";
    static final String FEEDS_SCHEMA = "/io/caravan/consent/consent-feeds.schema.json";
    static final String TCF_SCHEMA = "/io/caravan/consent/tcf.schema.json";

    private GovernanceFiles() {
    }

    /** Partner id → name and country (null when the partner declares none). */
    static Map<String, PartnerInfo> partners(Path file) {
        Map<String, PartnerInfo> partners = new TreeMap<>();
        if (!Files.exists(file)) {
            return partners;
        }
        for (JsonNode node : ConfigFiles.read(file, PARTNERS_SCHEMA).path("partners")) {
            partners.put(node.path("id").asString(), new PartnerInfo(node.path("name").asString(),
                    node.hasNonNull("country") ? node.get("country").asString() : null));
        }
        return partners;
    }

    /**
     * The JSON paths of partners without a country, each as {@code $.partners[i].country}, restricted
     * to {@code recipients} (partners receiving data under an agreement).
     */
    static List<String> recipientsWithoutCountry(Path file, Set<String> recipients) {
        List<String> paths = new ArrayList<>();
        if (!Files.exists(file)) {
            return paths;
        }
        JsonNode list = ConfigFiles.read(file, PARTNERS_SCHEMA).path("partners");
        Set<String> listed = new TreeSet<>();
        for (int i = 0; i < list.size(); i++) {
            String id = list.get(i).path("id").asString();
            listed.add(id);
            if (recipients.contains(id) && !list.get(i).hasNonNull("country")) {
                paths.add("$.partners[" + i + "].country: recipient partner '" + id
                        + "' declares no country (transfers outside the EU/EEA cannot be ruled out)");
            }
        }
        for (String recipient : new TreeSet<>(recipients)) {
            if (!listed.contains(recipient)) {
                paths.add("$.partners: recipient partner '" + recipient + "' is not listed, so it declares no country");
            }
        }
        return paths;
    }

    static List<FeedInfo> feeds(Path file) {
        List<FeedInfo> feeds = new ArrayList<>();
        if (!Files.exists(file)) {
            return feeds;
        }
        for (JsonNode node : ConfigFiles.read(file, FEEDS_SCHEMA).path("feeds")) {
            Set<String> identifiers = new TreeSet<>();
            for (String identifier : List.of("email", "phone")) {
                if (node.path("columns").has(identifier)) {
                    identifiers.add(identifier);
                }
            }
            Set<String> purposes = new TreeSet<>();
            node.path("purposes").properties().forEach(e -> purposes.add(e.getValue().asString()));
            feeds.add(new FeedInfo(node.path("id").asString(), node.path("title").asString(null),
                    node.path("partner").asString(), identifiers, purposes));
        }
        return feeds;
    }

    static Map<String, List<Integer>> tcf(Path file) {
        Map<String, List<Integer>> tcf = new LinkedHashMap<>();
        if (!Files.exists(file)) {
            return tcf;
        }
        ConfigFiles.read(file, TCF_SCHEMA).path("purposes").properties().forEach(e -> {
            List<Integer> numbers = new ArrayList<>();
            e.getValue().forEach(n -> numbers.add(n.asInt()));
            tcf.put(e.getKey(), List.copyOf(numbers));
        });
        return tcf;
    }

    /** Throws nothing for a missing file; rethrows the loader's {@link ConfigException} for a bad one. */
    static void check(Path file, String schema) {
        if (Files.exists(file)) {
            ConfigFiles.read(file, schema);
        }
    }
}

package io.caravan.taxonomy;

import io.caravan.config.ConfigFiles;
import tools.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The naming conventions of {@code config/campaign-taxonomy.yaml}, validated against
 * {@code taxonomy.schema.json} at start-up (a problem stops start-up naming the file and path).
 * Immutable after construction; thread-safe.
 */
@Component
public class Taxonomies {
    static final String SCHEMA = "/io/caravan/taxonomy/taxonomy.schema.json";

    private final Map<String, Taxonomy> taxonomies;

    @Autowired
    Taxonomies(@Value("${caravan.config-dir:config}") Path configDir) {
        this(load(configDir.resolve("campaign-taxonomy.yaml")));
    }

    public Taxonomies(Map<String, Taxonomy> taxonomies) {
        this.taxonomies = Map.copyOf(taxonomies);
    }

    /** Reads and validates a taxonomy file; returns the ids it defines (for the {@code validate} command). */
    public static Set<String> check(Path file) {
        return new java.util.TreeSet<>(load(file).keySet());
    }

    /** Reads and validates a taxonomy file. */
    public static Map<String, Taxonomy> load(Path file) {
        JsonNode root = ConfigFiles.read(file, SCHEMA);
        Map<String, Taxonomy> result = new LinkedHashMap<>();
        root.get("taxonomies").properties().forEach(e -> {
            JsonNode t = e.getValue();
            List<Taxonomy.Segment> segments = new ArrayList<>();
            t.get("segments").forEach(s -> {
                Map<String, String> values = new LinkedHashMap<>();
                s.get("values").properties().forEach(v -> values.put(v.getKey(), v.getValue().asString()));
                segments.add(new Taxonomy.Segment(s.get("name").asString(), values));
            });
            result.put(e.getKey(), new Taxonomy(e.getKey(), t.path("field").asText("campaign_name"),
                    t.get("separator").asString(), segments));
        });
        return result;
    }

    public Optional<Taxonomy> find(String id) {
        return Optional.ofNullable(taxonomies.get(id));
    }

    public Set<String> ids() {
        return new TreeMap<>(taxonomies).keySet();
    }
}

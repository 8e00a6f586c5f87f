package io.caravan.consent;

import io.caravan.config.ConfigFiles;
import io.caravan.error.ConfigException;
import tools.jackson.databind.JsonNode;
import com.iabtcf.decoder.TCString;
import com.iabtcf.utils.IntIterable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * IAB TCF v2 consent strings mapped onto Caravan purposes ({@code config/tcf.yaml}): a Caravan
 * purpose is granted when the TC string consents to every TCF purpose listed for it, and
 * withdrawn otherwise. Decoding uses {@code com.iabtcf:iabtcf-decoder}. Immutable, thread-safe;
 * never logs or echoes a TC string.
 */
public final class TcfPurposes {
    private static final String SCHEMA = "/io/caravan/consent/tcf.schema.json";

    private final Map<String, List<Integer>> required;

    TcfPurposes(Map<String, List<Integer>> required) {
        this.required = Map.copyOf(required);
    }

    public static TcfPurposes load(Path file, PurposeRegistry purposes) {
        if (!Files.exists(file)) {
            return new TcfPurposes(Map.of());
        }
        JsonNode root = ConfigFiles.read(file, SCHEMA);
        Map<String, List<Integer>> required = new LinkedHashMap<>();
        root.get("purposes").properties().forEach(e -> {
            if (purposes.find(e.getKey()).isEmpty()) {
                throw new ConfigException(ConfigException.Code.INVALID, file + ": $.purposes." + e.getKey()
                        + ": unknown purpose (" + purposes.ids() + ")");
            }
            List<Integer> tcf = new ArrayList<>();
            e.getValue().forEach(n -> tcf.add(n.asInt()));
            required.put(e.getKey(), List.copyOf(tcf));
        });
        return new TcfPurposes(required);
    }

    /** What one TC string says: a status per mapped Caravan purpose, and when the CMP last updated it. */
    record Decision(Map<String, ConsentStatus> statuses, Instant lastUpdated) {
    }

    /**
     * @throws IllegalArgumentException (naming no value) when the string is not a decodable TCF v2 string
     */
    Decision decide(String tcString) {
        TCString decoded;
        try {
            decoded = TCString.decode(tcString.strip());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a decodable TCF v2 consent string");
        }
        if (decoded.getVersion() != 2) {
            throw new IllegalArgumentException("TCF consent string version " + decoded.getVersion() + " (only 2 is read)");
        }
        IntIterable consented = decoded.getPurposesConsent();
        Map<String, ConsentStatus> statuses = new LinkedHashMap<>();
        required.forEach((purpose, tcf) -> statuses.put(purpose,
                tcf.stream().allMatch(consented::contains) ? ConsentStatus.GRANTED : ConsentStatus.WITHDRAWN));
        return new Decision(statuses, decoded.getLastUpdated());
    }

    boolean isEmpty() {
        return required.isEmpty();
    }
}

package io.caravan.governance;

import io.caravan.governance.RecordDiff.Change;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * The record of processing as the running configuration makes it, and its history: {@link #current()}
 * generates it now; {@link #refresh(String)} (at start and after each live reload of a route file)
 * stores a new version when it differs from the newest stored one, with the changes between them.
 *
 * <p>Thread-safe: {@link #refresh} is synchronised; generation reads immutable registries and the
 * route definitions of the moment. Logs the version number and the count of changes, never content.
 */
public final class ProcessingRecords {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessingRecords.class);
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private final Supplier<RecordInputs> inputs;
    private final RecordVersions versions;
    private final Clock clock;

    ProcessingRecords(Supplier<RecordInputs> inputs, RecordVersions versions, Clock clock) {
        this.inputs = inputs;
        this.versions = versions;
        this.clock = clock;
    }

    /** The record generated from the configuration as it runs now. */
    public ProcessingRecord current() {
        return new RecordBuilder(inputs.get()).build();
    }

    /**
     * Stores the current record as a new version if it differs from the newest stored one.
     *
     * @param cause {@code start} or {@code reload: <file>}
     * @return the new version number, or empty when nothing changed
     */
    public synchronized Optional<Long> refresh(String cause) {
        ProcessingRecord record = current();
        String json = JSON.writeValueAsString(record);
        String digest = sha256(json);
        Optional<String[]> latest = versions.latest();
        if (latest.isPresent() && latest.get()[0].equals(digest)) {
            return Optional.empty();
        }
        ProcessingRecord before = latest.map(l -> JSON.readValue(l[1], ProcessingRecord.class)).orElse(null);
        List<Change> changes = RecordDiff.between(before, record);
        Instant now = Instant.now(clock);
        long version = versions.store(now, cause, digest, json, changes);
        LOG.info("record of processing: version {} stored ({}, {} change(s))", version, cause, changes.size());
        return Optional.of(version);
    }

    RecordVersions versions() {
        return versions;
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from the JVM", e);
        }
    }
}

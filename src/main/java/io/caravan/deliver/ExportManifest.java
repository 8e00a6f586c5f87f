package io.caravan.deliver;

import io.caravan.pseudonymise.PartnerTokens;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import tools.jackson.core.JsonEncoding;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * An export's {@code <file>.manifest.json}: the file, export id, agreement, partner, dataset and
 * columns, format, row count, SHA-256 of the file, purpose, policy, the id of the key that made the
 * partner's tokens and how they were derived, created at and valid until; under a k-anonymity gate
 * also {@code k_anonymity} (k, quasi-identifiers, rows generalised, rows suppressed, smallest group). Names and counts only,
 * never row content. Stateless and thread-safe.
 */
final class ExportManifest {
    /** Writes indented JSON (a person opens these files); generators follow the mapper's settings. */
    private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private ExportManifest() {
    }

    static void write(Path manifest, Agreement agreement, String policyId, String keyId, String exportId,
                      String fileName, long rows, String sha256, Instant createdAt, KAnonymity.Outcome gate)
            throws IOException {
        try (OutputStream out = Files.newOutputStream(manifest);
             JsonGenerator json = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            json.writeStartObject();
            json.writeStringProperty("file", fileName);
            json.writeStringProperty("export_id", exportId);
            json.writeStringProperty("agreement", agreement.id());
            json.writeStringProperty("partner", agreement.partner());
            json.writeStringProperty("dataset", agreement.table());
            json.writeArrayPropertyStart("columns");
            for (String column : agreement.columns()) {
                json.writeString(column);
            }
            json.writeEndArray();
            json.writeStringProperty("format", agreement.format().extension());
            json.writeNumberProperty("rows", rows);
            json.writeStringProperty("sha256", sha256);
            json.writeStringProperty("purpose", agreement.purpose());
            json.writeStringProperty("policy", policyId);
            json.writeStringProperty("key_id", keyId);
            json.writeStringProperty("token_derivation", PartnerTokens.DERIVATION);
            if (gate != null) {
                json.writeObjectPropertyStart("k_anonymity");
                json.writeNumberProperty("k", gate.k());
                json.writeArrayPropertyStart("quasi_identifiers");
                for (String column : agreement.kAnonymity().quasiIdentifiers()) {
                    json.writeString(column);
                }
                json.writeEndArray();
                json.writeNumberProperty("rows_generalised", gate.rowsGeneralised());
                json.writeNumberProperty("rows_suppressed", gate.rowsSuppressed());
                if (gate.smallestGroup() == null) {
                    json.writeNullProperty("smallest_group");
                } else {
                    json.writeNumberProperty("smallest_group", gate.smallestGroup());
                }
                json.writeEndObject();
            }
            json.writeStringProperty("created_at", createdAt.toString());
            json.writeStringProperty("valid_until", agreement.validUntil().toString());
            json.writeEndObject();
        }
    }

    /**
     * The manifest of an activation: file, export id, agreement, platform, identifiers and how they
     * were normalised and hashed, subjects (rows), subjects left out for consent or for lack of a
     * usable identifier, minimum audience, SHA-256 of the file, purpose, created at, valid until.
     */
    static void writeActivation(Path manifest, Agreement agreement, String exportId, String fileName, long subjects,
                                long withoutIdentifier, long consentFiltered, String sha256, Instant createdAt)
            throws IOException {
        Activation activation = agreement.activation();
        try (OutputStream out = Files.newOutputStream(manifest);
             JsonGenerator json = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            json.writeStartObject();
            json.writeStringProperty("file", fileName);
            json.writeStringProperty("export_id", exportId);
            json.writeStringProperty("agreement", agreement.id());
            json.writeStringProperty("kind", "activation");
            json.writeStringProperty("partner", agreement.partner());
            json.writeStringProperty("platform", activation.platform().id());
            json.writeArrayPropertyStart("identifiers");
            for (String identifier : activation.identifiers()) {
                json.writeString(identifier);
            }
            json.writeEndArray();
            json.writeStringProperty("hashing", "SHA-256 hex of the platform-normalised identifier");
            json.writeStringProperty("format", "csv");
            json.writeNumberProperty("rows", subjects);
            json.writeNumberProperty("subjects_consent_filtered", consentFiltered);
            json.writeNumberProperty("subjects_without_identifier", withoutIdentifier);
            json.writeNumberProperty("minimum_audience", activation.minimumAudience());
            json.writeStringProperty("sha256", sha256);
            json.writeStringProperty("purpose", agreement.purpose());
            json.writeStringProperty("created_at", createdAt.toString());
            json.writeStringProperty("valid_until", agreement.validUntil().toString());
            json.writeEndObject();
        }
    }
}

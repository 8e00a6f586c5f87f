package io.caravan.exchange;

import tools.jackson.core.JsonEncoding;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.core.JsonGenerator;
import io.caravan.ledger.BatchSummary;
import io.caravan.ledger.Ledger;
import io.caravan.ledger.Quarantine;
import io.caravan.ledger.QuarantineReason;
import io.caravan.ledger.Rejection;
import io.caravan.pipeline.BatchContext;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the acknowledgement of every batch that came from a partner's gateway {@code inbox/}:
 * {@code <root>/<partner>/outbox/<file name>.ack.json}, holding the batch's ledger row, the names
 * of the source columns its descriptor does not map ({@code unmapped_columns}, at most 50), its
 * rejections and its warnings (row, field, rule; never a value, since the ledger holds none), and for
 * a batch the gates quarantined its {@code quarantine}: state, reasons (gate, detail, figures, column
 * names) and an operator's rejection reason.
 *
 * <p>Hooked generically as a {@link Ledger.BatchListener}: when the ledger reports a batch
 * finished (completed, or failed with its reason), the batch's route is looked up; the ack is
 * written only when that route reads a folder {@code <root>/<partner>/inbox} of the gateway root
 * (so flows from partners' own servers or APIs get none) and the partner is the batch's partner.
 * No route needs Java for it.
 *
 * <p>The file is written under a temporary dot-name in {@code outbox/} and atomically renamed when
 * complete, so a partner never downloads a truncated ack. A batch re-delivered under the same name
 * replaces the earlier ack. At most {@link #MAX_ISSUES} rejections and warnings each are listed;
 * {@code rejections_listed} says how many are. Failing to write an ack is logged (batch id and
 * exception class) and does not affect the batch. Thread-safe.
 */
final class AckWriter implements Ledger.BatchListener {
    private static final Logger LOG = LoggerFactory.getLogger(AckWriter.class);
    static final int MAX_ISSUES = 10_000;
    static final String SUFFIX = ".ack.json";
    /** Writes indented JSON (a person opens these files); generators follow the mapper's settings. */
    private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private final Ledger ledger;
    private final Path root;
    private final Function<String, Optional<Path>> routeInbox;

    /**
     * @param root       the gateway root ({@code caravan.sftp.root})
     * @param routeInbox the folder a route consumes files from, if it is a {@code file:} route
     */
    AckWriter(Ledger ledger, Path root, Function<String, Optional<Path>> routeInbox) {
        this.ledger = Objects.requireNonNull(ledger, "ledger");
        this.root = root.toAbsolutePath().normalize();
        this.routeInbox = Objects.requireNonNull(routeInbox, "routeInbox");
    }

    @Override
    public void opened(BatchContext batch) {
        // the ack is written when the batch finishes
    }

    @Override
    public void finished(BatchSummary summary) {
        Optional<Path> outbox = outboxFor(summary);
        if (outbox.isEmpty()) {
            return;
        }
        try {
            write(outbox.get(), summary);
        } catch (IOException | RuntimeException e) {
            LOG.warn("acknowledgement of batch {} not written: {}", summary.batchId(), e.getClass().getSimpleName());
        }
    }

    /** The partner's outbox when the batch came from that partner's gateway inbox. */
    Optional<Path> outboxFor(BatchSummary summary) {
        if (summary.partnerId() == null || summary.source() == null || summary.routeId() == null
                || !Partner.ID_PATTERN.matcher(summary.partnerId()).matches()) {
            return Optional.empty();
        }
        Path partnerRoot = root.resolve(summary.partnerId());
        Path inbox = partnerRoot.resolve("inbox");
        return routeInbox.apply(summary.routeId())
                .map(p -> p.toAbsolutePath().normalize())
                .filter(inbox::equals)
                .map(p -> partnerRoot.resolve("outbox"))
                .filter(Files::isDirectory);
    }

    /** Writes the ack for {@code summary} into {@code outbox}; returns its path. */
    Path write(Path outbox, BatchSummary summary) throws IOException {
        String fileName = Path.of(summary.source()).getFileName().toString();
        Path target = outbox.resolve(fileName + SUFFIX);
        Path temp = outbox.resolve("." + fileName + SUFFIX + ".part");
        List<Rejection> rejections = ledger.rejections(summary.batchId(), MAX_ISSUES);
        List<Rejection> warnings = ledger.warnings(summary.batchId(), MAX_ISSUES);
        try (OutputStream out = Files.newOutputStream(temp);
             JsonGenerator json = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            json.writeStartObject();
            json.writeStringProperty("file", fileName);
            json.writeStringProperty("batch_id", summary.batchId());
            json.writeStringProperty("partner_id", summary.partnerId());
            json.writeStringProperty("route_id", summary.routeId());
            json.writeStringProperty("connector_id", summary.connectorId());
            json.writeStringProperty("status", summary.status());
            json.writeStringProperty("started_at", text(summary.startedAt()));
            json.writeStringProperty("finished_at", text(summary.finishedAt()));
            json.writeNumberProperty("rows_in", summary.rowsIn());
            json.writeNumberProperty("rows_delivered", summary.rowsDelivered());
            json.writeNumberProperty("rows_rejected", summary.rowsRejected());
            json.writeNumberProperty("rows_consent_filtered", summary.rowsConsentFiltered());
            json.writeNumberProperty("rows_suppressed", summary.rowsSuppressed());
            json.writeNumberProperty("rows_duplicate", summary.rowsDuplicate());
            json.writeNumberProperty("warnings", summary.warnings());
            if (summary.error() != null) {
                json.writeStringProperty("reason", summary.error());
            }
            Optional<Quarantine> quarantine = ledger.quarantineOf(summary.batchId());
            if (quarantine.isPresent()) {
                quarantine(json, quarantine.get());
            }
            json.writeArrayPropertyStart("unmapped_columns");
            for (String column : ledger.unmappedColumns(summary.batchId())) {
                json.writeString(column);
            }
            json.writeEndArray();
            issues(json, "rejections", rejections);
            issues(json, "warning_list", warnings);
            json.writeEndObject();
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return target;
    }

    /** Why the gates held the file back (names and figures only) and what an operator decided. */
    private static void quarantine(JsonGenerator json, Quarantine quarantine) throws IOException {
        json.writeObjectPropertyStart("quarantine");
        json.writeStringProperty("state", quarantine.state());
        json.writeArrayPropertyStart("reasons");
        for (QuarantineReason reason : quarantine.reasons()) {
            json.writeStartObject();
            json.writeStringProperty("gate", reason.gate());
            json.writeStringProperty("detail", reason.detail());
            if (reason.measured() != null) {
                json.writeNumberProperty("measured", reason.measured());
            }
            if (reason.limit() != null) {
                json.writeNumberProperty("limit", reason.limit());
            }
            json.writeArrayPropertyStart("columns");
            for (String column : reason.columns()) {
                json.writeString(column);
            }
            json.writeEndArray();
            json.writeEndObject();
        }
        json.writeEndArray();
        if (quarantine.decisionReason() != null) {
            json.writeStringProperty("rejected_because", quarantine.decisionReason());
        }
        json.writeEndObject();
    }

    private static void issues(JsonGenerator json, String name, List<Rejection> issues) throws IOException {
        json.writeNumberProperty(name + "_listed", issues.size());
        json.writeArrayPropertyStart(name);
        for (Rejection issue : issues) {
            json.writeStartObject();
            json.writeNumberProperty("row", issue.rowNumber());
            json.writeStringProperty("field", issue.field());
            json.writeStringProperty("reason", issue.reason());
            json.writeEndObject();
        }
        json.writeEndArray();
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}

package io.caravan.consent;

import io.caravan.connector.FormatSpec;
import io.caravan.error.DataException;
import io.caravan.error.SafeMessage;
import io.caravan.ingest.CsvReaderFactory;
import io.caravan.ingest.RecordReader;
import io.caravan.ingest.RecordReaderFactory;
import io.caravan.ingest.SourceRow;
import io.caravan.pipeline.Issue;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import io.caravan.ledger.BatchCounts;
import io.caravan.ledger.BatchSummary;
import io.caravan.ledger.Ledger;
import io.caravan.ledger.Rejection;
import io.caravan.pipeline.BatchContext;
import io.caravan.audit.AuditTrail;
import io.caravan.pseudonymise.Identifiers;
import io.caravan.pseudonymise.InvalidIdentifierException;
import io.caravan.pseudonymise.IdentitySeal;
import io.caravan.pseudonymise.KeyRing;
import io.caravan.pseudonymise.Tokeniser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The {@code consent-feed:<id>} step's work: one file of a consent feed becomes one ledger batch
 * of consent events, through the same store, tokenisation and purposes as {@code POST /api/consents}.
 *
 * <p>Contract. Every data row is accounted for in the ledger ({@code target_table = consent_event}):
 * <ul>
 *   <li><b>delivered</b>: it appended at least one new event;</li>
 *   <li><b>duplicate</b>: all its events were already recorded (same event id: a re-delivery, or
 *       the same row earlier in the file);</li>
 *   <li><b>suppressed</b>: its subject was erased (a token of its e-mail or phone is on the
 *       suppression list, under any readable key of the {@code suppression} key domain); nothing
 *       is recorded;</li>
 *   <li><b>rejected</b>: with the field and rule (no usable identifier, unknown purpose, bad
 *       status, bad time, undecodable TC string), never the value.</li>
 * </ul>
 * An invalid e-mail next to a valid phone number (or the reverse) is a warning; the valid one
 * names the subject. A row carrying a TC string yields one event per purpose of
 * {@code config/tcf.yaml} ({@link TcfPurposes}); otherwise its purpose and status columns give
 * one event. Event ids are {@code <feed>:<source event id>} or, where the feed has none, derived
 * from the subject's {@code suppression}-domain token, purpose, status and time (so a re-delivered
 * file is duplicate, also after the warehouse key was rotated and re-keyed). Each event keeps the
 * subject's identifier sealed for the re-key job ({@link io.caravan.pseudonymise.IdentitySeal}). Raw
 * identifiers live only in memory while the file is read; the store holds tokens. Events,
 * rejections, the completed batch and an audit entry ({@code consent_feed}) commit in one
 * transaction. The file is read whole (up to the feed's {@code maxBytes}); consent feeds are
 * small. Thread-safe. Logs nothing about rows.
 */
final class ConsentFeedSink {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final RecordReaderFactory CSV = new CsvReaderFactory();
    /** Longest value of a consent field (an identifier, a TC string), as for a connector by default. */
    private static final int MAX_FIELD_CHARS = 65_536;

    private final DataSource dataSource;
    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final Ledger ledger;
    private final ConsentStore store;
    private final PurposeRegistry purposes;
    private final TcfPurposes tcf;
    private final KeyRing keys;
    private final AuditTrail audit;
    private final Clock clock;

    ConsentFeedSink(DataSource dataSource, Ledger ledger, ConsentStore store, PurposeRegistry purposes,
                    TcfPurposes tcf, KeyRing keys, AuditTrail audit, Clock clock) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.jdbc = new JdbcTemplate(dataSource);
        this.transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        this.ledger = Objects.requireNonNull(ledger, "ledger");
        this.store = Objects.requireNonNull(store, "store");
        this.purposes = Objects.requireNonNull(purposes, "purposes");
        this.tcf = Objects.requireNonNull(tcf, "tcf");
        this.keys = Objects.requireNonNull(keys, "keys");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** A row's problem: field and rule, never the value. */
    private static final class RowProblem extends Exception implements SafeMessage {
        final String field;

        RowProblem(String field, String reason) {
            super(reason, null, false, false);
            this.field = field;
        }
    }

    /** One row of the file: consent field → value, and what makes the row unusable (null if nothing). */
    private record FeedRow(Map<String, String> values, Issue problem) {
    }

    /** One row, read: its events, or why it was rejected, and its warnings. */
    private record Outcome(long rowNumber, List<ConsentEvent> events, Set<String> tokens, RowProblem problem,
                           List<Rejection> warnings) {
    }

    /**
     * Ingests one file. The batch is opened (running) before anything is read.
     *
     * @return the completed batch
     * @throws DataException when the file cannot be read as the feed's format (the batch is failed)
     */
    BatchSummary ingest(ConsentFeed feed, String routeId, String sourceName, InputStream in, Long length) {
        BatchContext context = new BatchContext(Ledger.newBatchId(clock.instant()), routeId, "consent-feed:" + feed.id(), feed.partner(),
                "zero_party", sourceName, clock.instant());
        ledger.open(context);
        List<Outcome> outcomes;
        try {
            if (length != null && length > feed.maxBytes()) {
                throw new DataException(sourceName + ": file is " + length + " bytes, over the limit of "
                        + feed.maxBytes() + " bytes for consent feed " + feed.id());
            }
            outcomes = read(feed, context.batchId(), sourceName, in);
        } catch (RuntimeException e) {
            ledger.fail(context.batchId(), e instanceof IllegalArgumentException || e instanceof DataException ? e.getMessage()
                    : sourceName + ": could not be read as " + feed.formatType() + " (" + e.getClass().getSimpleName() + ")");
            throw e;
        }
        Set<String> suppressed = suppressed(outcomes);
        BatchSummary summary = transactions.execute(status -> {
            Connection connection = DataSourceUtils.getConnection(dataSource);
            try {
                ledger.ensureRunning(connection, context);
                long delivered = 0;
                long duplicate = 0;
                long suppressedRows = 0;
                List<Rejection> rejections = new ArrayList<>();
                List<Rejection> warnings = new ArrayList<>();
                for (Outcome outcome : outcomes) {
                    warnings.addAll(outcome.warnings());
                    if (outcome.problem() != null) {
                        rejections.add(new Rejection(context.batchId(), outcome.rowNumber(), outcome.problem().field,
                                outcome.problem().getMessage()));
                    } else if (outcome.tokens().stream().anyMatch(suppressed::contains)) {
                        suppressedRows++;
                    } else {
                        boolean recordedAny = false;
                        for (ConsentEvent event : outcome.events()) {
                            recordedAny |= store.record(event);
                        }
                        if (recordedAny) {
                            delivered++;
                        } else {
                            duplicate++;
                        }
                    }
                }
                ledger.appendIssues(connection, rejections, warnings);
                BatchCounts counts = new BatchCounts(delivered, rejections.size(), 0, suppressedRows, duplicate, warnings.size());
                Map<String, Object> detail = new LinkedHashMap<>();
                detail.put("feed", feed.id());
                detail.put("rowsIn", counts.rowsIn());
                detail.put("rowsDelivered", delivered);
                detail.put("rowsDuplicate", duplicate);
                detail.put("rowsSuppressed", suppressedRows);
                detail.put("rowsRejected", (long) rejections.size());
                audit.record("system:consent-feed", "consent_feed", context.batchId(), detail);
                return ledger.complete(connection, context, counts, "consent_event", clock.instant());
            } catch (SQLException e) {
                throw new IllegalStateException("could not store consent feed batch " + context.batchId()
                        + " (SQLState " + e.getSQLState() + ")");
            }
        });
        ledger.notifyFinished(summary);
        return summary;
    }

    // ---- reading ----

    private List<Outcome> read(ConsentFeed feed, String batchId, String sourceName, InputStream in) {
        List<Outcome> outcomes = new ArrayList<>();
        Set<String> seenIds = new HashSet<>();
        try (InputStream input = in) {
            Iterator<FeedRow> rows = "json".equals(feed.formatType()) ? json(feed, sourceName, input)
                    : csv(feed, input, sourceName);
            long rowNumber = 0;
            while (rows.hasNext()) {
                FeedRow row = rows.next();
                rowNumber++;
                outcomes.add(row.problem() == null ? outcome(feed, batchId, rowNumber, row.values(), seenIds)
                        : new Outcome(rowNumber, List.of(), Set.of(),
                                new RowProblem(row.problem().field(), row.problem().reason()), List.of()));
            }
        } catch (IOException e) {
            throw new DataException(sourceName + ": could not be read (" + e.getClass().getSimpleName() + ")");
        }
        return outcomes;
    }

    /**
     * Through the CSV reader every connector uses: a byte-order mark, the delimiter and the charset
     * behave the same, and a ragged row or bytes not valid in the charset make the row unusable.
     */
    private static Iterator<FeedRow> csv(ConsentFeed feed, InputStream in, String sourceName) {
        FormatSpec format = new FormatSpec("csv", feed.charset(), feed.delimiter(), '"', true, null, '.',
                List.of(), List.of(), ZoneOffset.UTC, null, null);
        RecordReader records = CSV.open(in, format, MAX_FIELD_CHARS, sourceName);
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return records.hasNext();
            }

            @Override
            public FeedRow next() {
                SourceRow record = records.next();
                Map<String, String> row = new LinkedHashMap<>();
                for (Map.Entry<String, String> column : feed.columns().entrySet()) {
                    row.put(column.getKey(), blankToNull(record.get(column.getValue())));
                }
                return new FeedRow(row, record.problem());
            }
        };
    }

    private static Iterator<FeedRow> json(ConsentFeed feed, String sourceName, InputStream in) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(in);
        } catch (JacksonException e) {
            // the parser's message quotes the document; name the file and position only
            throw new DataException(sourceName + ": not valid JSON");
        }
        JsonNode records = feed.recordsPath() == null ? root : root == null ? null : root.get(feed.recordsPath());
        if (records == null || !records.isArray()) {
            throw new DataException(sourceName + ": " + (feed.recordsPath() == null ? "the document"
                    : "$." + feed.recordsPath()) + " is not an array of consent records");
        }
        Iterator<JsonNode> elements = records.values().iterator();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return elements.hasNext();
            }

            @Override
            public FeedRow next() {
                JsonNode record = elements.next();
                Map<String, String> row = new LinkedHashMap<>();
                for (Map.Entry<String, String> column : feed.columns().entrySet()) {
                    JsonNode value = record.get(column.getValue());
                    row.put(column.getKey(), value == null || value.isNull() || value.isContainer()
                            ? null : blankToNull(value.asString()));
                }
                return new FeedRow(row, null);
            }
        };
    }

    private Outcome outcome(ConsentFeed feed, String batchId, long rowNumber, Map<String, String> row, Set<String> seenIds) {
        List<Rejection> warnings = new ArrayList<>();
        try {
            String subject = subject(feed, batchId, rowNumber, row, warnings);
            Tokeniser active = keys.tokeniser(KeyRing.WAREHOUSE);
            String token = active.token(subject);
            String sealed = keys.identitySeal().seal(Map.of(IdentitySeal.SUBJECT, subject));
            // independent of the warehouse key, so derived event ids survive a warehouse re-key
            String stable = keys.tokeniser(KeyRing.SUPPRESSION).token(subject);
            Set<String> tokens = new LinkedHashSet<>(); // suppression-domain tokens of every identifier
            for (Tokeniser key : keys.readable(KeyRing.SUPPRESSION)) {
                for (String identifier : identifiers(feed, row)) {
                    tokens.add(key.token(identifier));
                }
            }
            List<ConsentEvent> events = new ArrayList<>();
            String tcString = row.get("tcString");
            Instant capturedAt = row.get("capturedAt") == null ? null : instant(row.get("capturedAt"));
            if (tcString != null) {
                TcfPurposes.Decision decision;
                try {
                    decision = tcf.decide(tcString);
                } catch (IllegalArgumentException e) {
                    throw new RowProblem("tcString", e.getMessage());
                }
                Instant at = capturedAt != null ? capturedAt : decision.lastUpdated();
                for (Map.Entry<String, ConsentStatus> entry : decision.statuses().entrySet()) {
                    Purpose purpose = purposes.require(entry.getKey());
                    events.add(event(feed, row, token, active.keyId(), sealed, stable, purpose, entry.getValue(), at, ":" + purpose.id()));
                }
            }
            if (row.get("purpose") != null || tcString == null) {
                Purpose purpose = purpose(feed, row.get("purpose"));
                ConsentStatus status = status(feed, row.get("status"));
                if (capturedAt == null) {
                    throw new RowProblem("capturedAt", "required value missing");
                }
                events.add(event(feed, row, token, active.keyId(), sealed, stable, purpose, status, capturedAt, tcString == null ? "" : ":row"));
            }
            List<ConsentEvent> fresh = new ArrayList<>();
            for (ConsentEvent event : events) {
                if (seenIds.add(event.eventId())) {
                    fresh.add(event);
                }
            }
            return new Outcome(rowNumber, fresh, tokens, null, warnings);
        } catch (RowProblem problem) {
            return new Outcome(rowNumber, List.of(), Set.of(), problem, warnings);
        }
    }

    /** The normalised identifier naming the subject: e-mail, else phone. */
    private static String subject(ConsentFeed feed, String batchId, long rowNumber, Map<String, String> row,
                                  List<Rejection> warnings) throws RowProblem {
        String email = null;
        String phone = null;
        String emailProblem = null;
        String phoneProblem = null;
        if (row.get("email") != null) {
            try {
                email = Identifiers.email(row.get("email"));
            } catch (InvalidIdentifierException e) {
                emailProblem = e.getMessage();
            }
        }
        if (row.get("phone") != null) {
            try {
                phone = Identifiers.phone(row.get("phone"), feed.phoneRegion());
            } catch (InvalidIdentifierException e) {
                phoneProblem = e.getMessage();
            }
        }
        if (email == null && phone == null) {
            if (emailProblem != null) {
                throw new RowProblem("email", emailProblem);
            }
            if (phoneProblem != null) {
                throw new RowProblem("phone", phoneProblem);
            }
            throw new RowProblem("email", "no e-mail or phone to name the subject");
        }
        if (emailProblem != null) {
            warnings.add(new Rejection(batchId, rowNumber, "email", emailProblem));
        }
        if (phoneProblem != null) {
            warnings.add(new Rejection(batchId, rowNumber, "phone", phoneProblem));
        }
        return email != null ? email : phone;
    }

    /** Every valid normalised identifier of the row (for the suppression check). */
    private static List<String> identifiers(ConsentFeed feed, Map<String, String> row) {
        List<String> out = new ArrayList<>();
        try {
            if (row.get("email") != null) {
                out.add(Identifiers.email(row.get("email")));
            }
        } catch (InvalidIdentifierException ignored) {
            // a warning already
        }
        try {
            if (row.get("phone") != null) {
                out.add(Identifiers.phone(row.get("phone"), feed.phoneRegion()));
            }
        } catch (InvalidIdentifierException ignored) {
            // a warning already
        }
        return out;
    }

    private Purpose purpose(ConsentFeed feed, String value) throws RowProblem {
        if (value == null) {
            throw new RowProblem("purpose", "required value missing");
        }
        String id = feed.purposes().getOrDefault(value, feed.purposes().getOrDefault(value.toLowerCase(Locale.ROOT), value));
        return purposes.find(id).orElseThrow(() -> new RowProblem("purpose", "unknown purpose spelling"));
    }

    private static ConsentStatus status(ConsentFeed feed, String value) throws RowProblem {
        if (value == null) {
            throw new RowProblem("status", "required value missing");
        }
        String mapped = feed.statuses().getOrDefault(value, value).toLowerCase(Locale.ROOT);
        return switch (mapped) {
            case "granted" -> ConsentStatus.GRANTED;
            case "withdrawn" -> ConsentStatus.WITHDRAWN;
            default -> throw new RowProblem("status", "status must be granted or withdrawn (or a spelling the feed maps)");
        };
    }

    private static Instant instant(String value) throws RowProblem {
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw new RowProblem("capturedAt", "not an ISO-8601 time with offset");
        }
    }

    private static ConsentEvent event(ConsentFeed feed, Map<String, String> row, String token, String keyId, String sealed,
                                      String stable, Purpose purpose,
                                      ConsentStatus status, Instant at, String suffix) throws RowProblem {
        String sourceId = row.get("eventId");
        String eventId;
        if (sourceId != null) {
            if (sourceId.length() > 100) {
                throw new RowProblem("eventId", "longer than 100 characters");
            }
            eventId = feed.id() + ":" + sourceId + suffix;
        } else {
            eventId = feed.id() + ":" + digest(stable + "|" + purpose.id() + "|" + status.dbName() + "|" + at);
        }
        return new ConsentEvent(eventId, token, purpose.id(), status, purpose.basis(), at, feed.source(), keyId, sealed);
    }

    /** SHA-256 of a string made of a keyed token and metadata (no raw identifier), first 32 hex characters. */
    private static String digest(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(value.getBytes(StandardCharsets.UTF_8))).substring(0, 32);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available");
        }
    }

    private Set<String> suppressed(List<Outcome> outcomes) {
        Set<String> tokens = new LinkedHashSet<>();
        outcomes.forEach(o -> tokens.addAll(o.tokens()));
        Set<String> suppressed = new HashSet<>();
        List<String> all = new ArrayList<>(tokens);
        for (int from = 0; from < all.size(); from += 1000) {
            List<String> chunk = all.subList(from, Math.min(all.size(), from + 1000));
            suppressed.addAll(SuppressionList.onList(jdbc, chunk));
        }
        return suppressed;
    }


    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}

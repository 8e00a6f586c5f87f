package io.caravan.harmonise;

import io.caravan.error.SafeMessage;
import io.caravan.connector.CanonicalFields;
import io.caravan.connector.FormatSpec;
import io.caravan.connector.FieldSpec;
import io.caravan.connector.FieldType;
import io.caravan.connector.ConnectorDescriptor;
import io.caravan.connector.ColumnType;
import io.caravan.ingest.SourceRow;
import io.caravan.pipeline.BatchContext;
import io.caravan.pipeline.Issue;
import io.caravan.pipeline.Row;
import io.caravan.pseudonymise.Identifiers;
import io.caravan.pseudonymise.InvalidIdentifierException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns source rows into canonical rows for one connector: maps partner columns onto canonical
 * fields, parses types (decimal comma, date patterns, booleans), maps vocabularies, normalises
 * identifiers, checks required fields, and computes {@code record_key} =
 * hex SHA-256 of {@code connector_id|natural key}. Columns the descriptor does not map are never
 * copied; their names are reported once per batch in {@link BatchContext#unmappedColumns()}.
 *
 * <p>Typed business fields that do not parse, unknown vocabulary spellings and missing required
 * values reject the row; an invalid optional identifier is nulled with a warning (privacy
 * contract). Issues name the canonical field and the rule, never the value. The reader's repairs
 * ({@link SourceRow#warnings()}) become warnings of the row first. A timestamp whose parts or offset
 * are not in two digits ({@code T8:05}, {@code -08:0}) is repaired with a warning. Phone numbers are
 * read with the region of the row ({@code identity.phoneRegionFrom}: e.g. the customer's or the
 * vendor's country) or else the descriptor's {@code phoneRegion}.
 *
 * <p>A {@code Harmoniser} is immutable and thread-safe; {@link #forBatch} gives the per-batch,
 * single-threaded function that does the work.
 */
public final class Harmoniser {
    private static final HexFormat HEX = HexFormat.of();
    /** The record key of every row a profile pass harmonises: present, never computed. */
    private static final String PROFILE_KEY = "profile";

    private final ConnectorDescriptor connector;
    private final Set<String> mappedColumns = new HashSet<>();
    private final Set<String> selectedArrays = new HashSet<>();
    private final Map<String, ColumnType> columnTypes;
    private final boolean derivesWmi;
    /** Fields a profile pass leaves unparsed: optional e-mails and phones outside the natural key (they can only warn). */
    private final Set<String> unprofiled = new HashSet<>();
    /**
     * Parsed dates of business fields (sale dates, contract dates: a few thousand distinct values),
     * bounded; dates of personal fields (birth dates) are never cached.
     */
    private final Map<String, LocalDate> businessDates = new java.util.concurrent.ConcurrentHashMap<>();
    private static final int MAX_CACHED_DATES = 20_000;

    public Harmoniser(ConnectorDescriptor connector) {
        this.connector = connector;
        connector.fields().values().forEach(f -> mappedColumns.add(f.column()));
        connector.fields().values().stream().map(f -> f.column()).filter(c -> c != null && c.indexOf('[') > 0)
                .forEach(c -> selectedArrays.add(c.substring(0, c.indexOf('[')) + ".")); // actions[action_type=lead].value reads actions.N.*
        this.columnTypes = CanonicalFields.business(connector.table());
        this.derivesWmi = connector.table().hasColumn("wmi") && connector.fields().containsKey("vin");
        connector.fields().values().stream()
                .filter(f -> (f.type() == FieldType.EMAIL || f.type() == FieldType.PHONE) && !f.required()
                        && !connector.naturalKey().contains(f.name()))
                .forEach(f -> unprofiled.add(f.name()));
    }

    public ConnectorDescriptor connector() {
        return connector;
    }

    /** A function for one batch's rows, in order, on one thread. */
    public Function<SourceRow, Row> forBatch(BatchContext context) {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
        return new PerBatch(context, sha256);
    }

    /**
     * A function for a read-only profile of a batch (the {@link PrePass}): each row gets the
     * disposition, fatal issues and parsed business, date and VIN fields it will get from
     * {@link #forBatch}, but optional e-mails and phones outside the natural key are not parsed (an
     * invalid one only warns, so it cannot change what the profile counts) and the record key is
     * checked, not computed. Its rows must never be delivered.
     */
    public Function<SourceRow, Row> forProfile(BatchContext context) {
        return new PerBatch(context, null);
    }

    private final class PerBatch implements Function<SourceRow, Row> {
        private final BatchContext context;
        private final MessageDigest sha256;
        private Collection<String> lastColumns;

        PerBatch(BatchContext context, MessageDigest sha256) {
            this.context = context;
            this.sha256 = sha256;
        }

        @Override
        public Row apply(SourceRow source) {
            reportUnmapped(source.columns());
            Issue problem = source.problem();
            if (problem != null) {
                return Row.unreadable(source.number(), problem.field(), problem.reason());
            }
            Row row = new Row(source.number(), new HashMap<>(connector.fields().size() * 2 + 8));
            for (Issue repaired : source.warnings()) {
                row.warn(repaired.field(), repaired.reason());
            }
            Map<String, Object> fields = row.fields();
            for (FieldSpec spec : connector.fields().values()) {
                if (sha256 == null && unprofiled.contains(spec.name())) {
                    continue;
                }
                String raw = source.get(spec.column());
                Object value = parse(row, spec, raw == null ? null : raw.strip(), source);
                if (value != null) {
                    fields.put(spec.name(), value);
                } else if (spec.required() && row.isPending() && !hasIssue(row, spec.name())
                        && !(raw == null && source.absentByDesign(spec.column()))) {
                    row.reject(spec.name(), "required value missing");
                }
            }
            connector.constants().forEach((name, value) -> fields.put(name, constant(name, value)));
            if (derivesWmi && fields.get("vin") instanceof String vin) {
                fields.put("wmi", vin.substring(0, 3));
            }
            for (String identifier : connector.subjectOrder()) {
                if (fields.containsKey(identifier)) {
                    fields.put("_subject", identifier);
                    break;
                }
            }
            if (row.isPending()) {
                row.recordKey(recordKey(row));
                if (source.derivedKey() && fields.containsKey("_subject")) {
                    fields.put(Row.KEY_WITH_SUBJECT, Boolean.TRUE);
                }
            }
            return row;
        }

        private void reportUnmapped(Collection<String> columns) {
            if (columns == lastColumns) {
                return;
            }
            lastColumns = columns;
            for (String column : columns) {
                if (!mappedColumns.contains(column) && selectedArrays.stream().noneMatch(column::startsWith)) {
                    context.unmappedColumn(column);
                }
            }
        }

        private String recordKey(Row row) {
            StringBuilder key = new StringBuilder(connector.id());
            for (String field : connector.naturalKey()) {
                Object value = row.get(field);
                if (value == null) {
                    row.reject(field, "natural key value missing");
                    return null;
                }
                key.append('|').append(canonical(value));
            }
            if (sha256 == null) {
                return PROFILE_KEY;
            }
            return HEX.formatHex(sha256.digest(key.toString().getBytes(StandardCharsets.UTF_8)));
        }
    }

    private static boolean hasIssue(Row row, String field) {
        return row.issues().stream().anyMatch(i -> i.field().equals(field));
    }

    private Object parse(Row row, FieldSpec spec, String raw, SourceRow source) {
        if (raw == null || raw.isEmpty()) {
            return null;
        }
        String field = spec.name();
        if (raw.length() > connector.maxFieldChars()) {
            row.reject(field, "longer than " + connector.maxFieldChars() + " characters");
            return null;
        }
        FormatSpec format = connector.format();
        try {
            return switch (spec.type()) {
                case TEXT -> text(row, spec, raw);
                case INTEGER -> integer(spec, raw);
                case DECIMAL -> decimal(raw, format.decimalSeparator(), spec.scale());
                case DATE -> date(spec, raw, format);
                case TIMESTAMP -> timestamp(row, spec, raw, format);
                case BOOLEAN -> bool(spec, raw);
                case VOCABULARY -> connector.vocabularies().map(spec.vocabulary(), raw)
                        .orElseThrow(() -> new ValueException("unknown " + spec.vocabulary() + " spelling"));
                case EMAIL -> identifier(row, spec, () -> Identifiers.email(raw));
                case PHONE -> identifier(row, spec, () -> Identifiers.phone(raw, phoneRegion(source)));
                case VIN -> identifier(row, spec, () -> Identifiers.vin(raw, connector.vinCheckDigit()));
                case POSTCODE -> raw.toUpperCase(Locale.ROOT).replaceAll("\\s+", " ");
            };
        } catch (ValueException e) {
            row.reject(field, e.getMessage());
            return null;
        }
    }

    /** The row's region from the first of the descriptor's region columns holding a two-letter code, else the descriptor's. */
    private String phoneRegion(SourceRow source) {
        for (String column : connector.phoneRegionColumns()) {
            String value = source.get(column);
            if (value != null && value.strip().length() == 2 && value.strip().chars().allMatch(Character::isLetter)) {
                return value.strip().toUpperCase(Locale.ROOT);
            }
        }
        return connector.phoneRegion();
    }

    private static Object text(Row row, FieldSpec spec, String raw) {
        if (spec.maxLength() != null && raw.length() > spec.maxLength()) {
            throw new ValueException("longer than " + spec.maxLength() + " characters");
        }
        if (spec.pattern() != null && !spec.pattern().matcher(raw).matches()) {
            throw new ValueException("does not match the pattern of the descriptor");
        }
        return raw;
    }

    private Object integer(FieldSpec spec, String raw) {
        long value;
        try {
            value = Long.parseLong(raw.replace(" ", "").replace("\u00a0", "").replace("'", ""));
        } catch (NumberFormatException e) {
            BigDecimal decimal = decimal(raw, connector.format().decimalSeparator(), null);
            try {
                value = decimal.longValueExact();
            } catch (ArithmeticException ex) {
                throw new ValueException("not a whole number");
            }
        }
        ColumnType column = columnTypes.get(spec.name());
        if (column == ColumnType.INT) {
            if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
                throw new ValueException("number out of range");
            }
            return (int) value;
        }
        return column == ColumnType.NUMERIC ? BigDecimal.valueOf(value) : value;
    }

    static BigDecimal decimal(String raw, char decimalSeparator, Integer scale) {
        StringBuilder digits = new StringBuilder(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == decimalSeparator) {
                digits.append('.');
            } else if ((c >= '0' && c <= '9') || c == '-' || c == '+') {
                digits.append(c);
            } else if (c == ' ' || c == '\u00a0' || c == '\'' || c == '\u202f' || c == '€'
                    || (c == '.' && decimalSeparator == ',') || (c == ',' && decimalSeparator == '.')) {
                continue; // grouping separators and a currency sign
            } else if ((c == 'e' || c == 'E') && decimalSeparator == '.') {
                digits.append(c);
            } else {
                throw new ValueException("not a number");
            }
        }
        try {
            BigDecimal value = new BigDecimal(digits.toString());
            return scale == null || scale == 0 ? value : value.movePointLeft(scale);
        } catch (NumberFormatException e) {
            throw new ValueException("not a number");
        }
    }

    private Object date(FieldSpec spec, String raw, FormatSpec format) {
        boolean cacheable = !CanonicalFields.isPersonal(spec.name());
        LocalDate date = cacheable ? businessDates.get(raw) : null;
        if (date == null) {
            date = parseDate(raw, format);
            if (cacheable && businessDates.size() < MAX_CACHED_DATES) {
                businessDates.put(raw, date);
            }
        }
        if (columnTypes.get(spec.name()) == ColumnType.TIMESTAMPTZ) {
            return date.atStartOfDay(format.zone()).toOffsetDateTime();
        }
        return date;
    }

    private static LocalDate parseDate(String raw, FormatSpec format) {
        LocalDate date = null;
        for (DateTimeFormatter pattern : format.datePatterns()) {
            try {
                date = LocalDate.parse(raw, pattern);
                break;
            } catch (DateTimeParseException e) {
                // try the next pattern
            }
        }
        if (date == null) {
            try {
                date = LocalDate.parse(raw);
            } catch (DateTimeParseException e) {
                throw new ValueException("not a date in the descriptor's date pattern");
            }
        }
        return date;
    }

    private static OffsetDateTime timestamp(Row row, FieldSpec spec, String raw, FormatSpec format) {
        try {
            return timestamp(raw, format);
        } catch (ValueException e) {
            String repaired = repairedTimestamp(raw);
            if (repaired == null) {
                throw e;
            }
            OffsetDateTime value = timestamp(repaired, format);
            row.warn(spec.name(), "timestamp repaired: hour, minute, second or offset not in two digits");
            return value;
        }
    }

    /**
     * ISO-8601 as real feeds garble it ({@code 2000-03-30T15:30:20-08:0}, {@code 2026-11-02T8:05},
     * {@code +0100}, {@code -8}): each part padded to two digits and the offset written {@code ±hh:mm};
     * null when the text is not such a timestamp at all.
     */
    static String repairedTimestamp(String raw) {
        Matcher m = GARBLED_TIMESTAMP.matcher(raw);
        if (!m.matches()) {
            return null;
        }
        StringBuilder text = new StringBuilder()
                .append(m.group(1)).append('-').append(two(m.group(2))).append('-').append(two(m.group(3)))
                .append('T').append(two(m.group(4))).append(':').append(two(m.group(5)));
        if (m.group(6) != null) {
            text.append(':').append(two(m.group(6)));
            if (m.group(7) != null) {
                text.append(m.group(7));
            }
        }
        String zone = m.group(8);
        if (zone != null) {
            if (zone.equalsIgnoreCase("z")) {
                text.append('Z');
            } else {
                text.append(zone.charAt(0)).append(two(m.group(9))).append(':')
                        .append(m.group(10) == null || m.group(10).isEmpty() ? "00" : two(m.group(10)));
            }
        }
        String repaired = text.toString();
        return repaired.equals(raw) ? null : repaired;
    }

    private static final Pattern GARBLED_TIMESTAMP = Pattern.compile(
            "(\\d{4})-(\\d{1,2})-(\\d{1,2})[Tt ](\\d{1,2}):(\\d{1,2})(?::(\\d{1,2})(\\.\\d{1,9})?)?\\s*"
                    + "(Z|z|[+-](\\d{1,2})(?::?(\\d{0,2}))?)?");

    private static String two(String digits) {
        return digits.length() == 1 ? "0" + digits : digits;
    }

    private static OffsetDateTime timestamp(String raw, FormatSpec format) {
        try {
            return OffsetDateTime.parse(raw);
        } catch (DateTimeParseException e) {
            // not ISO with offset
        }
        try {
            return Instant.parse(raw).atOffset(java.time.ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            // not an ISO instant
        }
        try {
            return LocalDateTime.parse(raw).atZone(format.zone()).toOffsetDateTime();
        } catch (DateTimeParseException e) {
            // not ISO local
        }
        for (DateTimeFormatter pattern : format.timestampPatterns()) {
            try {
                return LocalDateTime.parse(raw, pattern).atZone(format.zone()).toOffsetDateTime();
            } catch (DateTimeParseException e) {
                // try the next pattern
            }
        }
        throw new ValueException("not a timestamp (ISO-8601 or the descriptor's timestamp pattern)");
    }

    private static Boolean bool(FieldSpec spec, String raw) {
        String value = raw.toLowerCase(Locale.ROOT);
        if (spec.trueValues().stream().anyMatch(t -> t.equalsIgnoreCase(value))) {
            return Boolean.TRUE;
        }
        if (spec.falseValues().stream().anyMatch(f -> f.equalsIgnoreCase(value))) {
            return Boolean.FALSE;
        }
        throw new ValueException("not one of the descriptor's boolean spellings");
    }

    private static Object identifier(Row row, FieldSpec spec, IdentifierParser parser) {
        try {
            return parser.parse();
        } catch (InvalidIdentifierException e) {
            if (spec.required()) {
                throw new ValueException(e.rule());
            }
            row.warn(spec.name(), e.rule());
            return null;
        }
    }

    private Object constant(String name, Object value) {
        ColumnType column = columnTypes.get(name);
        if (column == ColumnType.INT && value instanceof Long l) {
            return l.intValue();
        }
        if (column == ColumnType.NUMERIC && value instanceof Long l) {
            return BigDecimal.valueOf(l);
        }
        return value;
    }

    static String canonical(Object value) {
        if (value instanceof BigDecimal d) {
            return d.stripTrailingZeros().toPlainString();
        }
        return value.toString();
    }

    @FunctionalInterface
    private interface IdentifierParser {
        String parse() throws InvalidIdentifierException;
    }

    /** A value that does not parse; the message is the rule, never the value. */
    private static final class ValueException extends RuntimeException implements SafeMessage {
        ValueException(String rule) {
            super(rule, null, false, false);
        }
    }

    /** For tests: the canonical field names this connector produces. */
    List<String> fieldNames() {
        return List.copyOf(connector.fields().keySet());
    }
}

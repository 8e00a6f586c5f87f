package io.caravan.pipeline;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One input row on its way through the pipeline: its 1-based row number in the source, its
 * disposition, the issues found so far, and its canonical fields.
 *
 * <p>Before {@code pseudonymise}, {@link #fields()} holds canonical input fields, including
 * normalised raw identifiers ({@code email}, {@code phone}, {@code vin}, {@code postcode},
 * {@code birth_date}, names). These live only in memory, for as long as the row is in flight.
 * After {@code pseudonymise}, the fields are the destination's columns (tokens, generalised
 * values, kept fields) and no raw identifier remains.
 *
 * <p>A row is owned by the single thread that pulls it through the pipeline; it is not
 * thread-safe. {@link #toString()} never prints field values.
 */
public final class Row {
    /**
     * Field set by harmonise (value {@code true}) when the row's natural key was derived by the reader because the
     * source sent none (an ADF prospect without {@code <id>}): pseudonymise then folds the subject's warehouse token
     * into {@link #recordKey()}, so two people asking for the same vehicle at the same second stay two leads.
     */
    public static final String KEY_WITH_SUBJECT = "_keyWithSubject";

    private final long number;
    private Disposition disposition = Disposition.PENDING;
    private List<Issue> issues = List.of();
    private Map<String, Object> fields;
    private String recordKey;
    private String subjectToken;
    private String keyId;

    public Row(long number, Map<String, Object> fields) {
        this.number = number;
        this.fields = fields;
    }

    /** A row that could not be read at all (ragged, malformed); it is rejected as it is born. */
    public static Row unreadable(long number, String field, String reason) {
        Row row = new Row(number, new HashMap<>());
        row.reject(field, reason);
        return row;
    }

    public long number() {
        return number;
    }

    public Disposition disposition() {
        return disposition;
    }

    public boolean isPending() {
        return disposition == Disposition.PENDING;
    }

    public List<Issue> issues() {
        return Collections.unmodifiableList(issues);
    }

    public Map<String, Object> fields() {
        return fields;
    }

    public void replaceFields(Map<String, Object> newFields) {
        this.fields = newFields;
    }

    public Object get(String field) {
        return fields.get(field);
    }

    public String recordKey() {
        return recordKey;
    }

    public void recordKey(String key) {
        this.recordKey = key;
    }

    /** The subject's token in the warehouse key domain, once consent has computed it; may be null. */
    public String subjectToken() {
        return subjectToken;
    }

    public void subjectToken(String token) {
        this.subjectToken = token;
    }

    /** The key id that made this row's tokens, set by pseudonymise; null where it has none. */
    public String keyId() {
        return keyId;
    }

    public void keyId(String keyId) {
        this.keyId = keyId;
    }

    /** Rejects the row (the first rejection wins the disposition; later ones are still listed). */
    public void reject(String field, String reason) {
        addIssue(Issue.rejection(field, reason));
        if (disposition == Disposition.PENDING) {
            disposition = Disposition.REJECTED;
        }
    }

    /** Records a warning: the field was unusable and has been nulled, the row goes on. */
    public void warn(String field, String reason) {
        addIssue(Issue.warning(field, reason));
    }

    public void dispose(Disposition outcome) {
        if (outcome == Disposition.PENDING || outcome == Disposition.REJECTED) {
            throw new IllegalArgumentException("use reject() to reject a row");
        }
        if (disposition == Disposition.PENDING) {
            disposition = outcome;
        }
    }

    public long warningCount() {
        return issues.stream().filter(i -> !i.fatal()).count();
    }

    private void addIssue(Issue issue) {
        if (issues.isEmpty()) {
            issues = new ArrayList<>(2);
        }
        issues.add(issue);
    }

    @Override
    public String toString() {
        return "Row[" + number + ", " + disposition + ", " + issues.size() + " issue(s)]";
    }
}

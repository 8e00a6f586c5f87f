package io.caravan.pseudonymise;

import io.caravan.pipeline.RecordBatch;
import io.caravan.pipeline.Row;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The {@link Pseudonymiser} for a {@link Policy}, with keys from a {@link KeyRing}. Immutable and
 * thread-safe; the key is resolved per batch.
 */
final class PolicyPseudonymiser implements Pseudonymiser {
    /** The output column of the subject's token. */
    static final String SUBJECT_TOKEN = "subject_token";
    /** The field in which harmonise names the subject's field (e.g. {@code email}). */
    static final String SUBJECT_FIELD = "_subject";
    /**
     * The output column of the row's sealed identifiers (see {@link IdentitySeal}): written by
     * policies of the {@value KeyRing#WAREHOUSE} key domain, whose tokens are stored and must be
     * re-keyable; never by a partner policy.
     */
    static final String SEALED_IDENTIFIERS = IdentitySeal.COLUMN;

    private final Policy policy;
    private final KeyRing keys;
    private final List<Rule> rules;
    /** The token column of each field the policy hmacs. */
    private final Map<String, String> tokenColumns;
    private final int outputSize;
    private final boolean seals;

    PolicyPseudonymiser(Policy policy, KeyRing keys) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.keys = Objects.requireNonNull(keys, "keys");
        this.rules = policy.actions().entrySet().stream().filter(e -> e.getValue() != FieldAction.DROP)
                .map(e -> new Rule(e.getKey(), e.getValue(), e.getValue().outputColumn(e.getKey()))).toList();
        this.tokenColumns = rules.stream().filter(r -> r.action() == FieldAction.HMAC)
                .collect(java.util.stream.Collectors.toUnmodifiableMap(Rule::field, Rule::column));
        this.outputSize = policy.outputColumns().size() + 1;
        this.seals = seals(policy);
    }

    /** One field's action and output column, resolved once (not per row). */
    private record Rule(String field, FieldAction action, String column) {
    }

    /** Whether a policy's tokens are stored in the warehouse, and so sealed for the re-key job. */
    static boolean seals(Policy policy) {
        return KeyRing.WAREHOUSE.equals(policy.keyDomain()) && policy.uses(FieldAction.HMAC);
    }

    /** Resolves the keys this policy needs now, so a missing key fails at start-up. */
    void checkKeys() {
        if (policy.uses(FieldAction.HMAC)) {
            keys.tokeniser(policy.keyDomain());
        }
        if (policy.encrypts()) {
            keys.cipher();
        }
        if (seals) {
            keys.identitySeal();
        }
    }

    @Override
    public String policyId() {
        return policy.id();
    }

    @Override
    public RecordBatch pseudonymise(RecordBatch batch) {
        Tokeniser tokeniser = policy.uses(FieldAction.HMAC) ? keys.tokeniser(policy.keyDomain()) : null;
        FieldCipher cipher = policy.encrypts() ? keys.cipher() : null;
        IdentitySeal seal = seals ? keys.identitySeal() : null;
        batch.context().policyId(policy.id());
        batch.context().keyId(tokeniser == null ? null : tokeniser.keyId());
        return batch.map(row -> apply(row, tokeniser, cipher, seal));
    }

    void apply(Row row, Tokeniser tokeniser, FieldCipher cipher, IdentitySeal seal) {
        Map<String, Object> in = row.fields();
        Map<String, Object> out = new HashMap<>(outputSize * 2);
        Map<String, String> sealed = seal == null ? null : new HashMap<>(8);
        boolean tokenised = false;
        for (Rule rule : rules) {
            String field = rule.field();
            Object value = in.get(field);
            if (value == null && !in.containsKey(field)) {
                continue;
            }
            FieldAction action = rule.action();
            String column = rule.column();
            switch (action) {
                case KEEP -> out.put(column, value);
                case HMAC -> {
                    String normalised = text(row, field, value);
                    String token = tokeniser.token(normalised);
                    out.put(column, token);
                    if (normalised != null && policy.encryptAlso().contains(field)) {
                        out.put(FieldAction.ENCRYPT.outputColumn(field), cipher.encrypt(field, normalised));
                    }
                    if (token != null) {
                        tokenised = true;
                        if (sealed != null) {
                            sealed.put(column, normalised);
                        }
                    }
                }
                case ENCRYPT -> out.put(column, cipher.encrypt(field, text(row, field, value)));
                case GENERALISE -> {
                    Object general = null;
                    try {
                        general = Generalisation.apply(field, value, policy.bandsFor(field));
                    } catch (IllegalArgumentException e) {
                        row.warn(field, e.getMessage());
                    }
                    out.put(column, general);
                }
                case DROP -> throw new AssertionError("dropped fields have no rule");
            }
        }
        if (tokeniser != null && in.get(SUBJECT_FIELD) instanceof String subject
                && policy.action(subject) == FieldAction.HMAC) {
            String tokenColumn = tokenColumns.get(subject);
            Object token = out.get(tokenColumn);
            if (token != null) {
                out.put(SUBJECT_TOKEN, token);
                if (sealed != null) {
                    sealed.put(IdentitySeal.SUBJECT, sealed.get(tokenColumn));
                }
            }
        }
        if (sealed != null && !sealed.isEmpty()) {
            out.put(SEALED_IDENTIFIERS, seal.seal(sealed));
        }
        if (seals && Boolean.TRUE.equals(in.get(Row.KEY_WITH_SUBJECT)) && out.get(SUBJECT_TOKEN) instanceof String token
                && row.recordKey() != null) {
            row.recordKey(withSubject(row.recordKey(), token));
        }
        row.replaceFields(out);
        row.keyId(tokenised ? tokeniser.keyId() : null);
    }

    /**
     * A record key derived from non-personal values (see {@link Row#KEY_WITH_SUBJECT}) with the subject's warehouse
     * token folded in: hex SHA-256 of {@code key|token}. Only the token, a keyed hash, goes in, never the identifier.
     */
    static String withSubject(String recordKey, String subjectToken) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha256.digest((recordKey + "|" + subjectToken).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    /** Identifiers reach this step as normalised text; anything else is a field-level problem. */
    private static String text(Row row, String field, Object value) {
        if (value == null || value instanceof String) {
            return (String) value;
        }
        row.warn(field, "identifier is not text");
        return null;
    }

    @Override
    public String toString() {
        return "PolicyPseudonymiser[" + policy.id() + ", keyDomain=" + policy.keyDomain() + "]";
    }
}

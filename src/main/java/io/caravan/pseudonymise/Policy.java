package io.caravan.pseudonymise;

import io.caravan.connector.DataClass;
import java.util.Set;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A privacy policy for one destination: its key domain and, for each canonical field it names,
 * one {@link FieldAction}. Fields it does not name are dropped. Built and validated by
 * {@link PolicyRegistry}; immutable.
 *
 * @param id        e.g. {@code warehouse}
 * @param keyDomain the key domain of its tokens ({@code warehouse} or a partner id)
 * @param actions   field → action, in configuration order (keep list first)
 * @param bands     amount field → bands for {@code generalise}; others use {@link AmountBands#DEFAULT}
 * @param dataClasses the data classes it may release (exports under it leave out rows of others); never empty
 * @param encryptAlso fields it hmacs that it also writes encrypted ({@code <field>_enc}, AES-SIV) beside their token
 */
public record Policy(String id, String keyDomain, Map<String, FieldAction> actions, Map<String, AmountBands> bands,
                     Set<DataClass> dataClasses, Set<String> encryptAlso) {
    /** A policy for every data class. */
    public Policy(String id, String keyDomain, Map<String, FieldAction> actions, Map<String, AmountBands> bands) {
        this(id, keyDomain, actions, bands, DataClass.all(), Set.of());
    }

    public Policy {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(keyDomain, "keyDomain");
        actions = Collections.unmodifiableMap(new LinkedHashMap<>(actions));
        bands = Map.copyOf(bands);
        dataClasses = dataClasses == null || dataClasses.isEmpty() ? DataClass.all() : Set.copyOf(dataClasses);
        encryptAlso = encryptAlso == null ? Set.of() : Collections.unmodifiableSet(new java.util.LinkedHashSet<>(encryptAlso));
    }

    /** The action for a field: {@link FieldAction#DROP} for fields the policy does not name. */
    public FieldAction action(String field) {
        return actions.getOrDefault(field, FieldAction.DROP);
    }

    public boolean uses(FieldAction action) {
        return actions.containsValue(action);
    }

    /** Whether the policy names {@code field} with {@code encrypt} (an agreement may then decrypt it for its partner). */
    public boolean encrypts(String field) {
        return action(field) == FieldAction.ENCRYPT;
    }

    /** Whether the policy writes any {@code _enc} column (the {@code encrypt} action, or {@link #encryptAlso}). */
    public boolean encrypts() {
        return uses(FieldAction.ENCRYPT) || !encryptAlso.isEmpty();
    }

    public AmountBands bandsFor(String field) {
        return bands.getOrDefault(field, AmountBands.DEFAULT);
    }

    /**
     * The columns this policy can write, in order: one per field not dropped, then
     * {@code subject_token} when it hmacs any field.
     */
    public List<String> outputColumns() {
        List<String> columns = new java.util.ArrayList<>();
        actions.forEach((field, action) -> {
            if (action != FieldAction.DROP) {
                columns.add(action.outputColumn(field));
            }
        });
        encryptAlso.forEach(field -> columns.add(FieldAction.ENCRYPT.outputColumn(field)));
        if (uses(FieldAction.HMAC)) {
            columns.add(PolicyPseudonymiser.SUBJECT_TOKEN);
        }
        if (PolicyPseudonymiser.seals(this)) {
            columns.add(PolicyPseudonymiser.SEALED_IDENTIFIERS);
        }
        return List.copyOf(columns);
    }
}

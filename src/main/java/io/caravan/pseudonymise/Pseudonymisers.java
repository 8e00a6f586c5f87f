package io.caravan.pseudonymise;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One {@link Pseudonymiser} per policy of the {@link PolicyRegistry}. Built at start-up, when
 * every policy's keys are resolved: a configured profile without a key a policy needs refuses
 * to start (generated rings create partner domains here). Immutable, thread-safe.
 */
public final class Pseudonymisers {
    private final Map<String, PolicyPseudonymiser> byPolicy;

    public Pseudonymisers(PolicyRegistry policies, KeyRing keys) {
        Map<String, PolicyPseudonymiser> map = new LinkedHashMap<>();
        for (Policy policy : policies.all()) {
            PolicyPseudonymiser pseudonymiser = new PolicyPseudonymiser(policy, keys);
            pseudonymiser.checkKeys();
            map.put(policy.id(), pseudonymiser);
        }
        this.byPolicy = Map.copyOf(map);
    }

    public Optional<Pseudonymiser> forPolicy(String policyId) {
        return Optional.ofNullable(byPolicy.get(policyId));
    }

    public Set<String> policyIds() {
        return new java.util.TreeSet<>(byPolicy.keySet());
    }
}

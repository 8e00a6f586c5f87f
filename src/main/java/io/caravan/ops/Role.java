package io.caravan.ops;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Roles of the ops API. A role includes those below it: {@code admin} can do what an
 * {@code operator} can, and an operator what a {@code viewer} can. Spring Security authorities are
 * {@code ROLE_VIEWER}, {@code ROLE_OPERATOR}, {@code ROLE_ADMIN}.
 */
enum Role {
    VIEWER,
    OPERATOR,
    ADMIN;

    /** This role and every role it includes. */
    Set<Role> withIncluded() {
        return EnumSet.range(VIEWER, this);
    }

    /** Parses {@code viewer}, {@code operator} or {@code admin} (any case); null when unknown. */
    static Role parse(String name) {
        if (name == null) {
            return null;
        }
        try {
            return valueOf(name.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}

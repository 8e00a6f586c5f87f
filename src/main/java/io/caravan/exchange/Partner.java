package io.caravan.exchange;

import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A partner account of the SFTP gateway, as configured in {@code partners.yaml}.
 *
 * <p>Immutable. {@link #toString()} names the id, the name, the routes and how many keys are
 * authorised, never the keys themselves.
 *
 * @param id         login name and folder name under the SFTP root; matches {@link #ID_PATTERN}
 * @param name       display name
 * @param publicKeys keys that may log in as this partner (may be empty: nobody can log in)
 * @param routes     ids of the Camel routes that this partner's {@code inbox/} feeds
 */
record Partner(String id, String name, List<PublicKey> publicKeys, List<String> routes) {

    /** What a partner id may contain: it is a login name and a folder name. */
    static final Pattern ID_PATTERN = Pattern.compile("[a-z0-9-]+");

    Partner {
        Objects.requireNonNull(id, "id");
        if (!ID_PATTERN.matcher(id).matches()) {
            throw new IllegalArgumentException("partner id must match " + ID_PATTERN.pattern());
        }
        name = name == null || name.isBlank() ? id : name;
        publicKeys = List.copyOf(publicKeys == null ? List.of() : publicKeys);
        routes = List.copyOf(routes == null ? List.of() : routes);
    }

    /** The same partner with {@code key} authorised as well. */
    Partner withKey(PublicKey key) {
        List<PublicKey> keys = new ArrayList<>(publicKeys);
        keys.add(key);
        return new Partner(id, name, keys, routes);
    }

    @Override
    public String toString() {
        return "Partner[id=" + id + ", name=" + name + ", keys=" + publicKeys.size() + ", routes=" + routes + "]";
    }
}

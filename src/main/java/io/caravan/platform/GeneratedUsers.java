package io.caravan.platform;

import java.util.List;
import java.util.Objects;

/**
 * The API users the embedded default generates on first start (passwords kept in
 * {@link SecretFiles}, written to {@code local.env}): {@code operator} with roles operator and
 * viewer, and {@code viewer}. The security configuration adds them to the configured users.
 */
public record GeneratedUsers(List<User> users) {
    public GeneratedUsers {
        users = List.copyOf(users);
    }

    /** One generated user; {@link #toString()} leaves the password out. */
    public record User(String name, String password, List<String> roles) {
        public User {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(password, "password");
            roles = List.copyOf(roles);
        }

        @Override
        public String toString() {
            return "User[" + name + ", roles=" + roles + "]";
        }
    }
}

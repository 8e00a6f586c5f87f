package io.caravan.ops;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Users of the ops API, {@code caravan.security.users}: each with a name, a password in
 * {@code DelegatingPasswordEncoder} form ({@code {bcrypt}$2a$...}, or {@code {noop}...} for tests)
 * and roles ({@code viewer}, {@code operator}, {@code admin}). In production the values come from
 * the environment. Validated when bound; messages name the entry, never a password.
 */
@ConfigurationProperties("caravan.security")
record SecurityUsersProperties(List<User> users) {
    private static final Pattern ENCODED = Pattern.compile("\\{[A-Za-z0-9_-]+}.+", Pattern.DOTALL);

    SecurityUsersProperties {
        users = users == null ? List.of() : List.copyOf(users);
        Set<String> names = new HashSet<>();
        for (int i = 0; i < users.size(); i++) {
            User user = users.get(i);
            String entry = "caravan.security.users[" + i + "]";
            if (user == null || user.name() == null || user.name().isBlank()) {
                throw new IllegalArgumentException(entry + ".name is missing");
            }
            if (!names.add(user.name())) {
                throw new IllegalArgumentException(entry + ".name repeats an earlier user's name");
            }
            if (user.password() == null || user.password().isBlank() || user.password().contains("${")) {
                throw new IllegalArgumentException(entry + ".password is not set (is its environment variable missing?)");
            }
            if (!ENCODED.matcher(user.password()).matches()) {
                throw new IllegalArgumentException(entry + ".password must start with an encoder id such as {bcrypt}");
            }
            if (user.roles().isEmpty()) {
                throw new IllegalArgumentException(entry + ".roles is empty (viewer, operator or admin)");
            }
            for (String role : user.roles()) {
                if (Role.parse(role) == null) {
                    throw new IllegalArgumentException(entry + ".roles holds an unknown role (viewer, operator or admin)");
                }
            }
        }
    }

    /** One configured user; {@link #toString()} leaves the password out. */
    record User(String name, String password, List<String> roles) {
        User {
            roles = roles == null ? List.of() : List.copyOf(roles);
        }

        @Override
        public String toString() {
            return "User[" + name + ", roles=" + roles + "]";
        }
    }
}

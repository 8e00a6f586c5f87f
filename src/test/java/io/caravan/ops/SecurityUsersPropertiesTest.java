package io.caravan.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SecurityUsersPropertiesTest {

    private static SecurityUsersProperties.User user(String name, String password, String... roles) {
        return new SecurityUsersProperties.User(name, password, List.of(roles));
    }

    @Test
    void acceptsEncodedPasswordsAndKnownRoles() {
        var props = new SecurityUsersProperties(List.of(user("ann", "{bcrypt}$2a$10$abc", "operator"),
                user("bob", "{noop}pw", "viewer", "ADMIN")));
        assertThat(props.users()).hasSize(2);
    }

    @Test
    void missingEnvironmentPasswordIsRefusedWithoutQuotingIt() {
        assertThatThrownBy(() -> new SecurityUsersProperties(List.of(user("ann", "${CARAVAN_OPERATOR_PASSWORD}", "operator"))))
                .hasMessageContaining("caravan.security.users[0].password is not set");
    }

    @Test
    void plainPasswordIsRefusedAndNotRepeated() {
        assertThatThrownBy(() -> new SecurityUsersProperties(List.of(user("ann", "hunter2-plain", "operator"))))
                .hasMessageContaining("encoder id")
                .hasMessageNotContaining("hunter2-plain");
    }

    @Test
    void unknownRoleDuplicateNameAndNoRoleAreRefused() {
        assertThatThrownBy(() -> new SecurityUsersProperties(List.of(user("ann", "{noop}x", "root"))))
                .hasMessageContaining("unknown role");
        assertThatThrownBy(() -> new SecurityUsersProperties(List.of(user("ann", "{noop}x", "viewer"), user("ann", "{noop}y", "viewer"))))
                .hasMessageContaining("users[1].name");
        assertThatThrownBy(() -> new SecurityUsersProperties(List.of(user("ann", "{noop}x"))))
                .hasMessageContaining("roles is empty");
    }

    @Test
    void toStringLeavesThePasswordOut() {
        assertThat(user("ann", "{noop}very-secret", "viewer").toString()).doesNotContain("very-secret");
    }

    @Test
    void aRoleIncludesTheRolesBelowIt() {
        assertThat(Role.ADMIN.withIncluded()).containsExactlyInAnyOrder(Role.ADMIN, Role.OPERATOR, Role.VIEWER);
        assertThat(Role.OPERATOR.withIncluded()).containsExactlyInAnyOrder(Role.OPERATOR, Role.VIEWER);
        assertThat(Role.VIEWER.withIncluded()).containsExactly(Role.VIEWER);
    }
}

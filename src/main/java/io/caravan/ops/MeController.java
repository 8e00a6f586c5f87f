package io.caravan.ops;

import java.util.List;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/me} (viewer): the caller's user name and roles ({@code viewer}, {@code operator},
 * {@code admin}, with the roles each includes), so the console can offer only what the user may do.
 * The API checks every call itself; this is a convenience, not the rule.
 */
@RestController
class MeController {

    record Me(String name, List<String> roles) {
    }

    @GetMapping("/api/me")
    Me me(Authentication authentication) {
        List<String> roles = authentication.getAuthorities().stream()
                .map(GrantedAuthority::getAuthority)
                .filter(a -> a.startsWith("ROLE_"))
                .map(a -> a.substring(5).toLowerCase(java.util.Locale.ROOT))
                .sorted()
                .toList();
        return new Me(authentication.getName(), roles);
    }
}

package io.caravan.privacy;

import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;

/** Who acts: the authenticated API user, or {@code system:<job>} for scheduled work. */
final class Actors {
    private Actors() {
    }

    /** The authenticated user's name; {@code system:<job>} when no user is authenticated. */
    static String current(String job) {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        if (authentication != null && authentication.isAuthenticated() && authentication.getName() != null
                && !"anonymousUser".equals(authentication.getName())) {
            return authentication.getName();
        }
        return system(job);
    }

    static String system(String job) {
        return "system:" + job;
    }
}

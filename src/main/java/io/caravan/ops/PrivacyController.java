package io.caravan.ops;

import io.caravan.api.ApiException;
import java.time.Clock;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/privacy/stats?weeks=} (viewer): consent events per purpose and week, erasures,
 * the suppression list's size; counts only (see {@link PrivacyStats}). {@code weeks} is 1 to 104
 * (default 12); anything else is {@code 400} naming it. Read-only: the privacy endpoints that
 * record consent and erase subjects are elsewhere.
 */
@RestController
@RequestMapping("/api/privacy")
class PrivacyController {
    static final int MAX_WEEKS = 104;

    private final PrivacyStats stats;
    private final Clock clock;

    PrivacyController(PrivacyStats stats, org.springframework.beans.factory.ObjectProvider<Clock> clock) {
        this.stats = stats;
        this.clock = clock.getIfUnique(Clock::systemUTC);
    }

    @GetMapping("/stats")
    PrivacyStats.Stats stats(@RequestParam(name = "weeks", defaultValue = "12") int weeks) {
        if (weeks < 1 || weeks > MAX_WEEKS) {
            throw ApiException.badRequest("weeks must be between 1 and " + MAX_WEEKS, "weeks");
        }
        return stats.stats(weeks, clock.instant());
    }
}

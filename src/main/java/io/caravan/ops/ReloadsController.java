package io.caravan.ops;

import java.security.Principal;
import java.util.List;
import java.util.Map;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Reload attempts of route files, connector descriptors and configuration files, newest first
 * ({@code GET /api/reloads}, viewer, the last 200 from {@code caravan.reload_attempt}), and the files on
 * disk applied on demand with validate, swap and roll-back ({@code POST /api/reloads}, admin): descriptors
 * and configuration first, then every route file.
 */
@RestController
@RequestMapping("/api/reloads")
class ReloadsController {
    private final RouteReloads reloads;
    private final ConfigReloads configReloads;
    private final ReloadAttempts attempts;

    ReloadsController(RouteReloads reloads, ConfigReloads configReloads, ReloadAttempts attempts) {
        this.reloads = reloads;
        this.configReloads = configReloads;
        this.attempts = attempts;
    }

    @GetMapping
    List<Map<String, Object>> attempts() {
        return attempts.recent().stream().map(ReloadAttempts::view).toList();
    }

    @PostMapping
    @PreAuthorize("hasRole('ADMIN')")
    List<Map<String, Object>> apply(Principal admin) {
        List<ReloadAttempts.Attempt> made = new java.util.ArrayList<>(configReloads.applyAll(admin.getName()));
        made.addAll(reloads.applyAll(admin.getName()));
        return made.stream().map(ReloadAttempts::view).toList();
    }
}

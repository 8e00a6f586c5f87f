package io.caravan.ops;

import java.util.List;
import java.util.Map;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Reload attempts of route files, newest first ({@code GET /api/reloads}, viewer), and the files on
 * disk applied on demand with validate, swap and roll-back ({@code POST /api/reloads}, admin).
 */
@RestController
@RequestMapping("/api/reloads")
class ReloadsController {
    private final RouteReloads reloads;

    ReloadsController(RouteReloads reloads) {
        this.reloads = reloads;
    }

    @GetMapping
    List<Map<String, Object>> attempts() {
        return reloads.attempts().stream().map(RouteReloads::view).toList();
    }

    @PostMapping
    @PreAuthorize("hasRole('ADMIN')")
    List<Map<String, Object>> apply() {
        return reloads.applyAll().stream().map(RouteReloads::view).toList();
    }
}

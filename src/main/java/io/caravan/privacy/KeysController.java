package io.caravan.privacy;

import io.caravan.audit.AuditTrail;
import io.caravan.api.ApiException;
import io.caravan.pseudonymise.KeyInfo;
import io.caravan.pseudonymise.KeyRing;
import io.caravan.pseudonymise.KeyStatus;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * Pseudonymisation keys. Answers carry key ids, domains and statuses, never material.
 * <ul>
 *   <li>{@code GET /api/keys} (viewer): every key with the rows that still name it;</li>
 *   <li>{@code POST /api/keys/{domain}/rotate} (admin): activates a new key for the domain (the
 *       previous one stays readable); audited {@code key_activation}; {@code 409} where keys come
 *       from configuration;</li>
 *   <li>{@code POST /api/keys/{domain}/rekey} (admin): runs the re-key job ({@link Rekeyer}):
 *       moves the domain's stored tokens to its active key and answers the rows moved and left
 *       per table; audited {@code key_rekey}; {@code 409} for the suppression domain or while
 *       another re-key runs;</li>
 *   <li>{@code DELETE /api/keys/{domain}/{keyId}} (admin): destroys a retired key; {@code 409}
 *       while it is active or any row (record tables, consent history, suppression list, export
 *       log) still names it, with the counts per table; audited {@code key_destruction}. The
 *       {@code export} table's {@code key_id} is history (which partner key made a file already
 *       sent) and does not hold a key back.</li>
 * </ul>
 */
@RestController
class KeysController {
    private final KeyRing keys;
    private final AuditTrail audit;
    private final JdbcTemplate jdbc;
    private final Rekeyer rekeyer;

    KeysController(KeyRing keys, AuditTrail audit, DataSource dataSource, Rekeyer rekeyer) {
        this.keys = keys;
        this.audit = audit;
        this.rekeyer = rekeyer;
        this.jdbc = new JdbcTemplate(dataSource);
    }

    /** A key and the rows per table that name it. */
    record KeyView(String keyId, String domain, String status, Map<String, Long> references) {
    }

    @GetMapping("/api/keys")
    List<KeyView> keys() {
        return keys.keys().stream()
                .map(k -> new KeyView(k.keyId(), k.domain(), k.status().name().toLowerCase(java.util.Locale.ROOT),
                        references(k.keyId())))
                .toList();
    }

    @PostMapping("/api/keys/{domain}/rotate")
    @PreAuthorize("hasRole('ADMIN')")
    @ResponseStatus(HttpStatus.CREATED)
    KeyView rotate(@PathVariable("domain") String domain) {
        requireName("domain", domain);
        KeyInfo previous = keys.keys().stream().filter(k -> k.domain().equals(domain) && k.status() == KeyStatus.ACTIVE)
                .findFirst().orElse(null);
        KeyInfo fresh;
        try {
            fresh = keys.rotate(domain);
        } catch (UnsupportedOperationException e) {
            throw ApiException.conflict(e.getMessage());
        }
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("domain", domain);
        detail.put("previous", previous == null ? null : previous.keyId());
        audit.record(Actors.current("api"), "key_activation", fresh.keyId(), detail);
        return new KeyView(fresh.keyId(), fresh.domain(), "active", Map.of());
    }

    @PostMapping("/api/keys/{domain}/rekey")
    @PreAuthorize("hasRole('ADMIN')")
    Rekeyer.Result rekey(@PathVariable("domain") String domain) {
        requireName("domain", domain);
        if (keys.keys().stream().noneMatch(k -> k.domain().equals(domain))) {
            throw ApiException.notFound("no key domain " + domain);
        }
        try {
            return rekeyer.rekey(domain, Actors.current("api"));
        } catch (UnsupportedOperationException | Rekeyer.AlreadyRunning e) {
            throw ApiException.conflict(e.getMessage());
        }
    }

    @DeleteMapping("/api/keys/{domain}/{keyId}")
    @PreAuthorize("hasRole('ADMIN')")
    Map<String, String> destroy(@PathVariable("domain") String domain, @PathVariable("keyId") String keyId) {
        requireName("domain", domain);
        requireName("keyId", keyId);
        KeyInfo key = keys.keys().stream().filter(k -> k.keyId().equals(keyId) && k.domain().equals(domain))
                .findFirst().orElseThrow(() -> ApiException.notFound("no such key in domain " + domain));
        if (key.status() == KeyStatus.ACTIVE) {
            throw ApiException.conflict("key " + keyId + " is the active key of domain " + domain + ": rotate first");
        }
        Map<String, Long> references = references(keyId);
        if (!references.isEmpty()) {
            throw ApiException.conflict("key " + keyId + " is still named by stored rows " + references
                    + ": run POST /api/keys/" + domain + "/rekey (or let retention remove them) first");
        }
        try {
            keys.destroy(keyId);
        } catch (UnsupportedOperationException | IllegalStateException e) {
            throw ApiException.conflict(e.getMessage());
        }
        audit.record(Actors.current("api"), "key_destruction", keyId, Map.of("domain", domain));
        return Map.of("keyId", keyId, "domain", domain, "status", "destroyed");
    }

    /** Rows per table whose {@code key_id} is this key (tables with none are left out). */
    private Map<String, Long> references(String keyId) {
        Map<String, Long> out = new LinkedHashMap<>();
        List<String> tables = jdbc.queryForList("""
                SELECT table_name FROM information_schema.columns
                WHERE table_schema = 'caravan' AND column_name = 'key_id' AND table_name <> 'export'
                  AND table_name IN (SELECT table_name FROM information_schema.tables
                                     WHERE table_schema = 'caravan' AND table_type = 'BASE TABLE')
                ORDER BY table_name""", String.class);
        for (String table : tables) {
            Long count = jdbc.queryForObject("SELECT count(*) FROM caravan." + RecordTables.quote(table)
                    + " WHERE key_id = ?", Long.class, keyId);
            if (count != null && count > 0) {
                out.put(table, count);
            }
        }
        return out;
    }

    private static void requireName(String field, String value) {
        if (value == null || !KeyRing.NAME.matcher(value).matches()) {
            throw ApiException.badRequest(field + " must match " + KeyRing.NAME.pattern(), field);
        }
    }

}

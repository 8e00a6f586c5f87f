package io.caravan.ops;

import io.caravan.gate.BatchQuarantined;
import io.caravan.ledger.QuarantineReason;
import io.caravan.notify.NotificationKind;
import io.caravan.notify.Notifier;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * A batch the gates quarantine becomes a {@code quarantine} notification to the partner's
 * subscribers: batch and route ids, the gates that failed, their figures (measured, limit) and how
 * many columns a drift gate named (the names are in {@code GET /api/batches/{id}}), never a value. Nothing where the application has no notifier.
 */
@Component
class QuarantineNotices {
    private final ObjectProvider<Notifier> notifiers;

    QuarantineNotices(ObjectProvider<Notifier> notifiers) {
        this.notifiers = notifiers;
    }

    @EventListener
    void quarantined(BatchQuarantined event) {
        Notifier notifier = notifiers.getIfAvailable();
        if (notifier != null) {
            notifier.send(NotificationKind.QUARANTINE, event.partner(), facts(event), "quarantine:" + event.batchId());
        }
    }

    /** batch, route, the failed gates and each gate's figures; column names stay in the batch API (they may hold any text). */
    static Map<String, Object> facts(BatchQuarantined event) {
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("batchId", event.batchId());
        facts.put("routeId", event.routeId());
        facts.put("gates", event.reasons().stream().map(QuarantineReason::gate).distinct().toList());
        for (QuarantineReason reason : event.reasons()) {
            String key = reason.gate().replaceAll("[^A-Za-z0-9_]", "_");
            if (reason.measured() != null) {
                facts.putIfAbsent(key + "_measured", reason.measured());
            }
            if (reason.limit() != null) {
                facts.putIfAbsent(key + "_limit", reason.limit());
            }
            if (!reason.columns().isEmpty()) {
                facts.putIfAbsent(key + "_columns", reason.columns().size());
            }
        }
        return facts;
    }
}

package io.caravan.privacy;

import io.caravan.notify.NotificationKind;
import io.caravan.notify.Notifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * GDPR Art. 19: after an erasure, each partner that received the subject's data in an export gets
 * one {@code erasure} notification (erasure id, how many exports, which agreements, when the first
 * and last were made; never an identifier or token); the others get none. Every erasure request
 * notifies: a repeated erasure of the same person (which lists the same partners) tells them again
 * under its own erasure id, which is also how an operator re-sends after a receiver was down. The
 * receipts are in the audit ({@code erasure_notification}, see {@code NotificationDispatcher}).
 * Thread-safe.
 */
final class ErasureNotices {
    private final Notifier notifier;

    ErasureNotices(Notifier notifier) {
        this.notifier = notifier;
    }

    /** Queues the notifications of one erasure; answers their ids by partner. */
    Map<String, List<String>> send(Erasure.Result erased) {
        Map<String, List<Erasure.Disclosure>> byPartner = new TreeMap<>();
        erased.partners().forEach(d -> byPartner.computeIfAbsent(d.partnerId(), p -> new ArrayList<>()).add(d));
        Map<String, List<String>> sent = new LinkedHashMap<>();
        byPartner.forEach((partner, disclosures) -> {
            TreeSet<String> exports = new TreeSet<>();
            TreeSet<String> agreements = new TreeSet<>();
            disclosures.forEach(d -> {
                exports.add(d.exportId());
                agreements.add(d.agreementId());
            });
            Map<String, Object> facts = new LinkedHashMap<>();
            facts.put("erasureId", erased.erasureId());
            facts.put("exports", exports.size());
            facts.put("exportIds", List.copyOf(exports));
            facts.put("agreements", List.copyOf(agreements));
            disclosures.stream().map(Erasure.Disclosure::exportedAt).filter(java.util.Objects::nonNull).min(java.util.Comparator.naturalOrder())
                    .ifPresent(first -> facts.put("firstExportedAt", first));
            disclosures.stream().map(Erasure.Disclosure::exportedAt).filter(java.util.Objects::nonNull).max(java.util.Comparator.naturalOrder())
                    .ifPresent(last -> facts.put("lastExportedAt", last));
            sent.put(partner, notifier.send(NotificationKind.ERASURE, partner, facts));
        });
        return sent;
    }
}

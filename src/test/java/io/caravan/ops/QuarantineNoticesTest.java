package io.caravan.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.gate.BatchQuarantined;
import io.caravan.ledger.QuarantineReason;
import io.caravan.notify.NotificationKind;
import io.caravan.notify.Notifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;

class QuarantineNoticesTest {

    private record Sent(NotificationKind kind, String partner, Map<String, Object> facts, String dedupeKey) {
    }

    @Test
    void aQuarantineBecomesOneNotificationWithGatesAndFiguresButNoColumnNames() {
        List<Sent> sent = new ArrayList<>();
        Notifier notifier = (kind, partner, facts, dedupeKey) -> {
            sent.add(new Sent(kind, partner, new java.util.LinkedHashMap<>(facts), dedupeKey));
            return List.of("n-1");
        };
        StaticListableBeanFactory beans = new StaticListableBeanFactory();
        beans.addBean("notifier", notifier);
        QuarantineNotices notices = new QuarantineNotices(beans.getBeanProvider(Notifier.class));

        notices.quarantined(new BatchQuarantined("b-1", "dealer-nord-sales", "dealer-nord", List.of(
                new QuarantineReason("columns", "2 columns renamed", null, null, List.of("Modell", "Käufer E-Mail")),
                new QuarantineReason("volume", "rows 90 % below the trailing median", 3.0, 15.0, List.of()))));

        assertThat(sent).singleElement().satisfies(s -> {
            assertThat(s.kind()).isEqualTo(NotificationKind.QUARANTINE);
            assertThat(s.partner()).isEqualTo("dealer-nord");
            assertThat(s.dedupeKey()).isEqualTo("quarantine:b-1");
            assertThat(s.facts()).containsEntry("batchId", "b-1").containsEntry("routeId", "dealer-nord-sales")
                    .containsEntry("gates", List.of("columns", "volume")).containsEntry("columns_columns", 2)
                    .containsEntry("volume_measured", 3.0).containsEntry("volume_limit", 15.0);
            assertThat(s.facts().toString()).doesNotContain("Modell", "Käufer");
        });
    }

    @Test
    void withoutANotifierNothingIsSent() {
        QuarantineNotices notices = new QuarantineNotices(new StaticListableBeanFactory().getBeanProvider(Notifier.class));
        notices.quarantined(new BatchQuarantined("b-2", "r", "p", List.of()));
    }
}

package io.caravan.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.deliver.AgreementRegistry;
import io.caravan.error.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NotificationRulesTest {
    private static final String SECRET = "a-webhook-secret-of-enough-length";

    @TempDir
    Path dir;

    private Path file(String yaml) throws IOException {
        return Files.writeString(dir.resolve("notifications.yaml"), yaml);
    }

    @Test
    void subscriptionsPickTheirChannelsByKindAndPartnerEachChannelOnce() throws IOException {
        NotificationRules rules = NotificationRules.load(file("""
                channels:
                  ops-hook: { webhook: { url: "https://hooks.example.com/c", secretFrom: HOOK_SECRET } }
                  ops-mail: { email: { to: [ops@caravan.example] } }
                  fahrbank: { webhook: { url: "https://fahrbank.example/p", secretFrom: HOOK_SECRET } }
                subscriptions:
                  - { kinds: [delivery_missing, batch_failed], channels: [ops-hook, ops-mail] }
                  - { kinds: [delivery_missing], partners: [dealer-nord], channels: [ops-hook] }
                  - { kinds: [erasure], partners: [fahrbank-leasing], channels: [fahrbank] }
                """), name -> name.equals("HOOK_SECRET") ? SECRET : null);
        assertThat(rules.channelsFor(NotificationKind.DELIVERY_MISSING, "dealer-nord")).extracting(NotificationRules.Channel::id)
                .containsExactly("ops-hook", "ops-mail");
        assertThat(rules.channelsFor(NotificationKind.ERASURE, "fahrbank-leasing")).extracting(NotificationRules.Channel::id)
                .containsExactly("fahrbank");
        assertThat(rules.channelsFor(NotificationKind.ERASURE, "dealer-nord")).isEmpty();
        assertThat(rules.channelsFor(NotificationKind.RELOAD_FAILED, null)).isEmpty();
        assertThat(rules.channelsFor(NotificationKind.BATCH_FAILED, null)).hasSize(2);
    }

    @Test
    void everyProblemIsNamedWithFileAndPathAndNoSecretValue() throws IOException {
        Path file = file("""
                channels:
                  both: { webhook: { url: "https://a.example/x", secretFrom: SHORT }, email: { to: [a@b.example] } }
                  short: { webhook: { url: "https://a.example/x", secretFrom: SHORT } }
                  unset: { webhook: { url: "https://a.example/x", secretFrom: NOT_SET } }
                subscriptions:
                  - { kinds: [erasure], channels: [nowhere] }
                """);
        assertThatThrownBy(() -> NotificationRules.load(file, name -> name.equals("SHORT") ? "tiny-secret" : null))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(file + ": $.channels.both: needs exactly one of webhook, email")
                .hasMessageContaining(file + ": $.channels.short.webhook.secretFrom: the secret in SHORT is shorter than 16 bytes")
                .hasMessageContaining(file + ": $.channels.unset.webhook.secretFrom: NOT_SET is not set")
                .hasMessageContaining(file + ": $.subscriptions[0].channels[0]: no channel 'nowhere' (defined: both, short, unset)")
                .hasMessageNotContaining("tiny-secret");
    }

    @Test
    void plainHttpAndUnknownKindsAreRefusedByTheSchema() throws IOException {
        Path file = file("""
                channels:
                  hook: { webhook: { url: "http://hooks.example.com/c", secretFrom: HOOK_SECRET } }
                subscriptions:
                  - { kinds: [delivery_mising], channels: [hook] }
                """);
        assertThatThrownBy(() -> NotificationRules.load(file, name -> SECRET))
                .hasMessageContaining(file + ": $.channels.hook.webhook.url")
                .hasMessageContaining(file + ": $.subscriptions[0].kinds[0]");
    }

    @Test
    void factsCarryIdsCountsAndDatesButNoPersonalData() {
        assertThat(Facts.checked(Map.of("batchId", "b-20261104-060000-3f9a1c2b", "rows", 40, "at", Instant.EPOCH,
                "file", "routes/dealer-nord/sales.camel.yaml", "ids", List.of("e-1", "e-2"))))
                .containsEntry("at", "1970-01-01T00:00:00Z").containsEntry("ids", List.of("e-1", "e-2"));
        for (String personal : List.of("sophie.vogt1@example.com", "+4915112345678", "WVWZZZ3DD55LY8M86", "Sophie Vogt")) {
            assertThatThrownBy(() -> Facts.checked(Map.of("subject", personal)))
                    .isInstanceOf(NotificationException.class)
                    .hasMessage("fact 'subject' is not an id, count, date or flag (notifications carry no personal data)");
        }
        assertThatThrownBy(() -> Facts.checked(Map.of("ids", List.of("ok", "a@b.example")))).hasMessageContaining("'ids'");
    }

    @Test
    void anAgreementIsAnnouncedOnceItIsWithinTheWarningAndNotAfterItEnded() {
        List<String> sent = new ArrayList<>();
        Notifier recorder = (kind, partner, facts, key) -> {
            sent.add(kind.label() + " " + partner + " " + facts.get("agreementId") + " " + facts.get("daysLeft") + " " + key);
            return List.of("n-1");
        };
        AgreementRegistry registry = AgreementRegistry.load(Path.of("config/agreements.yaml"),
                io.caravan.pseudonymise.PolicyRegistry.load(Path.of("config/policies.yaml")),
                io.caravan.consent.PurposeRegistry.load(Path.of("config/purposes.yaml")),
                table -> switch (table) {
                    case "sale" -> List.of("sale_id", "sale_date", "make", "model", "model_year", "fuel_type", "condition",
                            "price_amount", "currency", "financed", "postcode_area", "subject_token", "data_class");
                    case "lead" -> List.of("lead_id", "lead_at", "request_type", "dealer_id", "make", "model", "model_year",
                            "email_enc", "phone_enc", "subject_token", "sealed_identifiers", "key_id", "data_class");
                    default -> List.<String>of();
                }, text -> text);
        LocalDate end = registry.validities().get(0).validUntil();
        assertThat(registry.validities()).allSatisfy(v -> assertThat(v.validUntil()).isEqualTo(end)); // the shipped ones end together
        assertThat(NotifyConfiguration.expiring(registry, recorder, end.minusDays(31), java.time.Period.ofDays(30))).isZero();
        assertThat(NotifyConfiguration.expiring(registry, recorder, end.minusDays(30), java.time.Period.ofDays(30))).isEqualTo(3);
        assertThat(NotifyConfiguration.expiring(registry, recorder, end.plusDays(1), java.time.Period.ofDays(30))).isZero();
        assertThat(sent).containsExactly(
                "agreement_expiring fahrbank-leasing fahrbank-financed-sales 30 agreement_expiring:fahrbank-financed-sales:" + end,
                "agreement_expiring dealer-nord dealer-nord-lead-routing 30 agreement_expiring:dealer-nord-lead-routing:" + end,
                "agreement_expiring google-ads id4-prospects-google 30 agreement_expiring:id4-prospects-google:" + end);
    }
}

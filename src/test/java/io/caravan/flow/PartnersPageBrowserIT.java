package io.caravan.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caravan.ledger.Ledger;
import io.caravan.pipeline.BatchContext;
import io.caravan.testing.WebhookReceiver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console's Partners page in a real headless Chromium against the real application: the
 * northern dealer group's daily calendar (UTC, by 12:00, from three days ago) with an on-time, a
 * late (150 minutes), a missing and a pending delivery coloured in the month grid with the late
 * minutes on hover, its recent batches (a running and a failed one too), the notifications sent
 * about it to a real HTTPS webhook, and Fahrbank Leasing's agreement.
 */
@Tag("browser")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PartnersPageBrowserIT {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String SECRET = "partners-page-secret-0123456789";

    @TempDir
    static Path data;
    @TempDir
    static Path work;

    private CaravanApp app;
    private WebhookReceiver receiver;
    private ChromeDriver browser;
    private WebDriverWait wait;
    private String base;
    private final LocalDate today = LocalDate.now(ZoneOffset.UTC);
    private String onTime;
    private String late;
    private String failed;

    @BeforeAll
    void start() throws Exception {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            throw new AssertionError("console tests need Debian's chromium and chromium-driver: " + CHROMIUM + " or "
                    + CHROMEDRIVER + " is missing");
        }
        receiver = WebhookReceiver.start(work);
        app = CaravanApp.start(data, "caravan.config-dir=" + config(),
                "caravan.deliveries.evaluate-every=PT1S",
                "caravan.notifications.trust-store=" + receiver.trustStore(),
                "caravan.notifications.trust-store-password=" + WebhookReceiver.STORE_PASSWORD,
                "CARAVAN_IT_HOOK_SECRET=" + SECRET,
                "caravan.security.users[0].name=vera", "caravan.security.users[0].password={noop}vera-console-pass",
                "caravan.security.users[0].roles[0]=viewer");
        Ledger ledger = app.bean(Ledger.class);
        onTime = batch(ledger, today.minusDays(3), "11:00");
        late = batch(ledger, today.minusDays(2), "14:30");
        failed = batch(ledger, today.minusDays(1), "10:00");
        ledger.fail(failed, "not valid CSV");
        // the monitor tells of the late and the missing delivery, the ledger of the failed batch
        await().atMost(WAIT).untilAsserted(() -> assertThat(app.jdbc().queryForList(
                "SELECT kind FROM caravan.notification WHERE partner_id = 'dealer-nord' AND status = 'sent'", String.class))
                .contains("delivery_late", "delivery_missing", "batch_failed"));
        base = "http://localhost:" + app.port();

        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--window-size=1440,1900");
        browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build(), options);
        wait = new WebDriverWait(browser, Duration.ofSeconds(20));
    }

    @AfterAll
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (app != null) {
            app.close();
        }
        if (receiver != null) {
            receiver.close();
        }
    }

    private static String batch(Ledger ledger, LocalDate day, String time) {
        String id = "b-" + UUID.randomUUID();
        Instant at = day.atTime(java.time.LocalTime.parse(time)).toInstant(ZoneOffset.UTC);
        ledger.open(new BatchContext(id, "dealer-nord-sales", "dealer-nord-sales", "dealer-nord", "first_party", "export.csv", at));
        return id;
    }

    /** The repository's config with a daily calendar for the northern dealer group and a webhook for its notices. */
    private Path config() throws IOException {
        Path config = work.resolve("config");
        Files.createDirectories(config);
        try (Stream<Path> files = Files.list(Path.of("config"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.copy(file, config.resolve(file.getFileName()));
            }
        }
        String partners = Files.readString(config.resolve("partners.yaml"));
        String monthly = partners.substring(partners.indexOf("      - flow: dealer-nord-sales"),
                partners.indexOf("monthly: { businessDay: 3, by: \"06:00\" }") + "monthly: { businessDay: 3, by: \"06:00\" }".length());
        Files.writeString(config.resolve("partners.yaml"), partners.replace(monthly, String.join("\n",
                "      - flow: dealer-nord-sales",
                "        title: Daily DMS sales export",
                "        since: " + today.minusDays(3),
                "        zone: UTC",
                "        daily: { by: \"12:00\" }")));
        Files.writeString(config.resolve("notifications.yaml"), """
                channels:
                  ops-hook: { webhook: { url: "%s", secretFrom: CARAVAN_IT_HOOK_SECRET } }
                subscriptions:
                  - { kinds: [delivery_late, delivery_missing, batch_failed], partners: [dealer-nord], channels: [ops-hook] }
                """.formatted(receiver.url("/hooks/ops")));
        return config;
    }

    @Test
    void thePartnerPageShowsItsCalendarBatchesNotificationsAndAgreements() {
        browser.get(base + "/console/");
        browser.findElement(By.id("login-user")).sendKeys("vera");
        browser.findElement(By.id("login-password")).sendKeys("vera-console-pass");
        browser.findElement(By.id("login-submit")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("app")));
        browser.findElement(By.cssSelector("#nav a[data-section=partners]")).click();
        wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector("#partner-list a[data-partner=dealer-nord]"))).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#partner[data-partner=dealer-nord] #month-grid")));

        assertThat(attribute(today.minusDays(3), "data-outcome")).isEqualTo("on_time");
        assertThat(attribute(today.minusDays(3), "title")).contains("due 12:00: on time").contains(onTime);
        assertThat(attribute(today.minusDays(2), "class")).contains("late");
        assertThat(attribute(today.minusDays(2), "title")).contains("dealer-nord-sales due 12:00: late 150 min").contains(late);
        assertThat(attribute(today.minusDays(2), "innerText")).contains("150 min");
        assertThat(attribute(today.minusDays(1), "data-outcome")).isEqualTo("missing");
        assertThat(attribute(today.plusDays(1), "data-outcome")).isEqualTo("pending");
        assertThat(attribute(today.minusDays(4), "data-outcome")).as("nothing before since").isNull();
        screenshot("console-partner.png");

        open("dealer-nord", today);
        List<String> batches = browser.findElements(By.cssSelector("#partner-batches tr.batch-row")).stream()
                .map(r -> r.getAttribute("data-batch")).toList();
        assertThat(batches).contains(onTime, late, failed);
        assertThat(browser.findElement(By.cssSelector("#partner-batches tr[data-batch='" + failed + "']")).getText()).contains("failed");
        List<String> notices = browser.findElements(By.cssSelector("#partner-notifications tbody tr")).stream()
                .map(WebElement::getText).toList();
        assertThat(notices).anySatisfy(n -> assertThat(n).contains("delivery_missing").contains("ops-hook (webhook)").contains("sent"));
        assertThat(notices).anySatisfy(n -> assertThat(n).contains("delivery_late").contains("latenessSeconds=9000"));
        assertThat(notices).anySatisfy(n -> assertThat(n).contains("batch_failed").contains("batchId=" + failed));
        assertThat(text(By.cssSelector("#partner-agreements tr[data-agreement=dealer-nord-lead-routing]"))).contains("2027-12-31");
        assertThat(text(By.cssSelector("#partner-gates tr[data-connector=dealer-nord-sales]")))
                .contains("from 20 rows").contains("allow / quarantine / quarantine").contains("± 50 % of the last 12");
        assertThat(text(By.id("partner"))).contains("No file of this partner is held by the gates.");

        browser.get(base + "/console/#/partners/fahrbank-leasing");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#partner[data-partner=fahrbank-leasing] #partner-agreements")));
        assertThat(browser.findElement(By.cssSelector("#partner-agreements tr[data-agreement=fahrbank-financed-sales]")).getText())
                .contains("2027-12-31");
    }

    /** The element's text, read again when the console re-rendered the page meanwhile. */
    private String text(By element) {
        return wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .until(d -> d.findElement(element).getText());
    }

    /** An attribute of the day's cell, read again when the console re-rendered the page meanwhile. */
    private String attribute(LocalDate day, String name) {
        return wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .until(d -> java.util.Optional.ofNullable(day(day).getAttribute(name))).orElse(null);
    }

    /** The day's cell, on the page of its month. */
    private WebElement day(LocalDate day) {
        open("dealer-nord", day);
        return browser.findElement(By.cssSelector("#month-grid .day[data-day='" + day + "']"));
    }

    private void open(String partner, LocalDate month) {
        String m = month.toString().substring(0, 7);
        if (!browser.getCurrentUrl().endsWith("#/partners/" + partner + "?month=" + m)) {
            browser.get(base + "/console/#/partners/" + partner + "?month=" + m);
            wait.until(ExpectedConditions.textToBe(By.id("month"), m));
        }
    }

    private void screenshot(String name) {
        try {
            Path target = Path.of("target", name);
            Files.createDirectories(target.getParent());
            Files.write(target, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new AssertionError("cannot write the screenshot " + name, e);
        }
    }
}

package io.caravan.flow;

import static io.caravan.testing.Inbox.deliver;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caravan.testing.ApiClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console's privacy views in a real headless Chromium against the real application: the kept
 * partner files with their shred dates, the subject access report for an operator (rows, sources,
 * kept files; no raw value but the one asked about), the files an erasure shredded, the link of a
 * replay to the batch it replays, and a viewer who sees the kept files but not the report.
 */
@Tag("browser")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PrivacyConsoleBrowserIT {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Path NORD = Path.of("samples/dealer-nord/verkaeufe_2026-10.csv");
    private static final String S1 = "sophie.vogt1@example.com";

    @TempDir
    static Path data;

    private CaravanApp app;
    private ChromeDriver browser;
    private WebDriverWait wait;
    private String base;
    private String batchId;

    @BeforeAll
    void startAppAndBrowser() throws Exception {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            throw new AssertionError("console tests need Debian's chromium and chromium-driver: " + CHROMIUM + " or "
                    + CHROMEDRIVER + " is missing");
        }
        app = CaravanApp.start(data,
                "caravan.security.users[0].name=vera", "caravan.security.users[0].password={noop}vera-console-pass",
                "caravan.security.users[0].roles[0]=viewer",
                "caravan.security.users[1].name=otto", "caravan.security.users[1].password={noop}otto-console-pass",
                "caravan.security.users[1].roles[0]=operator");
        deliver(NORD, data.resolve("sftp/dealer-nord/inbox"));
        batchId = (String) app.awaitBatches("dealer-nord-sales", 1, WAIT).get(0).get("batch_id");
        await().atMost(WAIT).until(() -> app.jdbc().queryForObject(
                "SELECT count(*) FROM caravan.archive WHERE batch_id = ?", Long.class, batchId) > 0);
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
    }

    @BeforeEach
    void freshPage() {
        browser.get(base + "/console/");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("login-form")));
    }

    @Test
    void anOperatorReadsASubjectAccessReportAndSeesTheKeptFilesAnErasureShredded() throws Exception {
        signIn("otto", "otto-console-pass");
        openPrivacy();
        WebElement kept = browser.findElement(By.cssSelector("#archives-table tr.archive-row[data-batch='" + batchId + "']"));
        assertThat(kept.getAttribute("data-state")).isEqualTo("kept");
        assertThat(kept.findElement(By.className("archive-state")).getText()).startsWith("kept until");

        browser.findElement(By.id("sar-value")).sendKeys(S1);
        browser.findElement(By.id("sar-submit")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#sar-report [data-report]")));
        assertThat(browser.findElement(By.id("sar-records")).getText()).isEqualTo("Rows held: sale 1");
        assertThat(texts("#sar-sources tbody td:first-child")).containsExactly(batchId);
        assertThat(texts("#sar-archives tbody td:first-child")).containsExactly(batchId);
        assertThat(browser.findElement(By.id("sar-value")).getAttribute("value")).isEmpty();
        String page = browser.findElement(By.id("main")).getText();
        assertThat(page).doesNotContain(S1).doesNotContain("Vogt").doesNotContain("Sophie");

        ApiClient api = ApiClient.onLocalhost(app.port());
        assertThat(api.post("/api/erasures", ApiClient.basic("otto", "otto-console-pass"), "{\"email\":\"" + S1 + "\"}")
                .statusCode()).isEqualTo(200);
        String erasure = app.jdbc().queryForObject("SELECT shredded_by FROM caravan.archive WHERE batch_id = ?",
                String.class, batchId);
        openPrivacy();
        WebElement shredded = browser.findElement(By.cssSelector("#archives-table tr.archive-row[data-batch='" + batchId + "']"));
        assertThat(shredded.getAttribute("data-state")).isEqualTo("shredded");
        assertThat(shredded.findElement(By.className("archive-state")).getText()).contains("erasure " + erasure);
    }

    @Test
    void aViewerSeesTheKeptFilesButNotTheSubjectAccessReport() {
        signIn("vera", "vera-console-pass");
        openPrivacy();
        assertThat(browser.findElements(By.cssSelector("#archives-table tr.archive-row"))).isNotEmpty();
        assertThat(browser.findElements(By.id("subject-access"))).isEmpty();
    }

    @Test
    void aReplayBatchLinksTheBatchItReplays() {
        app.jdbc().update("INSERT INTO caravan.batch (batch_id, route_id, partner_id, source, started_at, status, replay_of)"
                + " VALUES ('b-20261206-070000-0000beef', 'dealer-nord-sales', 'dealer-nord', 'verkaeufe_2026-10.csv', now(),"
                + " 'failed', ?)", batchId);
        signIn("vera", "vera-console-pass");
        browser.findElement(By.cssSelector("#nav a[data-section=batches]")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("batches-table")));
        ((org.openqa.selenium.JavascriptExecutor) browser).executeScript(
                "location.hash = '#/batches/b-20261206-070000-0000beef'");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("replay-of")));
        assertThat(browser.findElement(By.cssSelector("#replay-of a")).getText()).isEqualTo(batchId);
    }

    /** Opens the privacy section afresh (through the batches section: a reload would ask for the password again). */
    private void openPrivacy() {
        browser.findElement(By.cssSelector("#nav a[data-section=batches]")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("batches-table")));
        browser.findElement(By.cssSelector("#nav a[data-section=privacy]")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("kept-files")));
    }

    private List<String> texts(String css) {
        return browser.findElements(By.cssSelector(css)).stream().map(WebElement::getText).toList();
    }

    private void signIn(String user, String password) {
        browser.findElement(By.id("login-user")).sendKeys(user);
        browser.findElement(By.id("login-password")).sendKeys(password);
        browser.findElement(By.id("login-submit")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("app")));
    }
}

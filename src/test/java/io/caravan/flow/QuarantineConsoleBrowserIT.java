package io.caravan.flow;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.testing.Inbox;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.core.env.Environment;

/**
 * The console's batch view of a quarantined batch, in a real headless Chromium: a viewer sees the
 * reasons but cannot decide; an operator releases the file and sees the batch it ran as.
 */
@Tag("browser")
class QuarantineConsoleBrowserIT {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final Charset LATIN_1 = Charset.forName("ISO-8859-1");

    @TempDir
    Path data;

    @Test
    void theBatchViewShowsTheQuarantineReasonsAndAnOperatorReleasesTheFile() throws Exception {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            throw new AssertionError("console tests need Debian's chromium and chromium-driver: " + CHROMIUM + " or "
                    + CHROMEDRIVER + " is missing");
        }
        try (CaravanApp app = CaravanApp.start(data, "caravan.samples.seed=true",
                "caravan.security.users[0].name=vera", "caravan.security.users[0].password={noop}vera-console-pass",
                "caravan.security.users[0].roles[0]=viewer",
                "caravan.security.users[1].name=otto", "caravan.security.users[1].password={noop}otto-console-pass",
                "caravan.security.users[1].roles[0]=operator")) {
            app.awaitBatches("dealer-nord-sales", 1, WAIT);
            List<String> lines = new ArrayList<>(Files.readAllLines(Path.of("samples/dealer-nord/verkaeufe_2026-10.csv"), LATIN_1));
            lines.set(0, lines.get(0).replace(";Modell;", ";Modellbezeichnung;"));
            Inbox.deliver(data.resolve("sftp/dealer-nord/inbox"), "renamed.csv",
                    String.join("\r\n", lines).concat("\r\n").getBytes(LATIN_1));
            Map<String, Object> held = app.awaitBatchOf("dealer-nord-sales", "renamed.csv", WAIT);
            assertThat(held.get("status")).isEqualTo("quarantined");
            String base = "http://localhost:" + app.bean(Environment.class).getProperty("local.server.port");

            ChromeOptions options = new ChromeOptions();
            options.setBinary(CHROMIUM.toFile());
            options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                    "--window-size=1440,1900");
            ChromeDriver browser = new ChromeDriver(new ChromeDriverService.Builder()
                    .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build(), options);
            try {
                WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
                String page = base + "/console/#/batches/" + held.get("batch_id");

                signIn(browser, wait, base, "vera", "vera-console-pass");
                browser.get(page);
                wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#quarantine li[data-gate=columns]")));
                assertThat(browser.findElement(By.cssSelector("#quarantine li[data-gate=columns]")).getText())
                        .contains("Modell → Modellbezeichnung");
                assertThat(browser.findElement(By.id("release")).isEnabled()).isFalse();
                browser.manage().deleteAllCookies();
                ((org.openqa.selenium.JavascriptExecutor) browser).executeScript("sessionStorage.clear(); localStorage.clear();");

                signIn(browser, wait, base, "otto", "otto-console-pass");
                browser.get(page);
                wait.until(ExpectedConditions.elementToBeClickable(By.id("release"))).click();
                wait.withTimeout(WAIT).until(ExpectedConditions.presenceOfElementLocated(
                        By.cssSelector("#quarantine[data-state=released] a[href^='#/batches/']")));
                assertThat(browser.findElement(By.id("flash")).getText()).startsWith("Released: the file runs as batch b-");
            } finally {
                browser.quit();
            }
            String releasedAs = app.jdbc().queryForObject("SELECT released_as FROM caravan.quarantine WHERE batch_id = ?",
                    String.class, held.get("batch_id"));
            assertThat(releasedAs).startsWith("b-");
            org.awaitility.Awaitility.await().atMost(WAIT).until(() -> app.jdbc().queryForObject(
                    "SELECT status FROM caravan.batch WHERE batch_id = ?", String.class, releasedAs), "completed"::equals);
        }
    }

    private static void signIn(ChromeDriver browser, WebDriverWait wait, String base, String user, String password) {
        browser.get(base + "/console/");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("login-form")));
        browser.findElement(By.id("login-user")).sendKeys(user);
        browser.findElement(By.id("login-password")).sendKeys(password);
        browser.findElement(By.id("login-submit")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("app")));
    }
}

package io.caravan.flow;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
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
 * The console's "Processing record" page in a real headless Chromium against the real application:
 * a viewer sees one card per purpose with its legal basis, DPIA screening, sources, recipients and
 * retention, the contacts, and the change log of the first start.
 */
@Tag("browser")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProcessingRecordBrowserIT {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    @TempDir
    static Path data;

    private CaravanApp app;
    private ChromeDriver browser;
    private WebDriverWait wait;

    @BeforeAll
    void startAppAndBrowser() {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            throw new AssertionError("console tests need Debian's chromium and chromium-driver: " + CHROMIUM + " or "
                    + CHROMEDRIVER + " is missing");
        }
        app = CaravanApp.start(data, "caravan.security.users[0].name=vera",
                "caravan.security.users[0].password={noop}vera-record-pass", "caravan.security.users[0].roles[0]=viewer");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--window-size=1440,1900");
        browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build(), options);
        wait = new WebDriverWait(browser, Duration.ofSeconds(30));
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

    @Test
    void viewerReadsTheRecordWithEveryPurposeItsDpiaScreeningAndTheChangeLog() {
        browser.get("http://localhost:" + app.port() + "/console/");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("login-form")));
        browser.findElement(By.id("login-user")).sendKeys("vera");
        browser.findElement(By.id("login-password")).sendKeys("vera-record-pass");
        browser.findElement(By.id("login-submit")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("app")));
        wait.until(d -> app.jdbc().queryForObject("SELECT count(*) FROM caravan.processing_record_version", Long.class) == 1L);

        browser.findElement(By.cssSelector("#nav a[data-section=record]")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#record .activity")));

        List<String> purposes = browser.findElements(By.cssSelector("#record .activity")).stream()
                .map(e -> e.getAttribute("data-activity")).toList();
        assertThat(purposes).containsExactly("analytics", "dealer_follow_up", "marketing_activation", "partner_sharing");
        WebElement analytics = browser.findElement(By.cssSelector("#record .activity[data-activity=analytics]"));
        assertThat(analytics.findElement(By.tagName("h3")).getText()).contains("legal basis legitimate_interest");
        assertThat(analytics.findElement(By.cssSelector(".dpia")).getText())
                .isEqualTo("DPIA screening: likely required — Matching or combining datasets; "
                        + "Sensitive data or data of a highly personal nature");
        assertThat(analytics.getText()).contains("Autohaus Nord (dealer DMS)", "dealer-nord-sales", "first_party", "P3650D");
        WebElement sharing = browser.findElement(By.cssSelector("#record .activity[data-activity=partner_sharing]"));
        assertThat(sharing.getText()).contains("Fahrbank Leasing (finance)", "fahrbank-financed-sales", "2027-12-31");
        assertThat(browser.findElement(By.id("record-controller")).getText()).isEqualTo("Caravan Demo Motors GmbH, privacy@example.com");
        assertThat(browser.findElement(By.id("record")).getText()).contains("purpose-added");
    }
}

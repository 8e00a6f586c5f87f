package io.caravan.flow;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.deliver.OverlapUploads;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console's Overlap page in a real headless Chromium against the real application: an
 * operator asks for the overlap of a partner's audience with the warehouse by model and sees the
 * small cell marked suppressed, without figures; a viewer cannot ask.
 */
@Tag("browser")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OverlapConsoleBrowserIT {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration UI_WAIT = Duration.ofSeconds(20);

    @TempDir
    static Path data;

    private CaravanApp app;
    private ChromeDriver browser;
    private WebDriverWait wait;
    private String base;

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
        OverlapSeeds seeds = new OverlapSeeds(app);
        List<String> id4 = seeds.leads(64, "ID.4");
        List<String> polo = seeds.leads(12, "Polo");
        List<String> list = new ArrayList<>(id4.subList(0, 58));
        list.addAll(polo.subList(0, 9));
        app.bean(OverlapUploads.class).load("autoboerse", "spring.overlap",
                new ByteArrayInputStream(OverlapSeeds.file(list).getBytes(StandardCharsets.UTF_8)));
        base = "http://localhost:" + app.port();

        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--window-size=1440,1200");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        wait = new WebDriverWait(browser, UI_WAIT);
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
    void anOperatorSeesTheOverlapByModelWithTheSmallCellMarkedSuppressed() throws Exception {
        signIn("otto", "otto-console-pass");
        browser.findElement(By.cssSelector("#nav a[data-section=overlaps]")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("overlap-run")));
        assertThat(browser.findElement(By.id("overlap-audiences")).getText()).contains("autoboerse:spring");

        new Select(browser.findElement(By.id("overlap-segment"))).selectByValue("model");
        browser.findElement(By.id("overlap-run")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#overlap-cells tbody tr")));

        WebElement id4 = browser.findElement(By.cssSelector("#overlap-cells tr[data-segment='ID.4']"));
        assertThat(id4.getAttribute("class")).doesNotContain("suppressed");
        assertThat(id4.findElements(By.tagName("td"))).extracting(WebElement::getText)
                .containsExactly("ID.4", "58", "64", "90.6 %");
        WebElement polo = browser.findElement(By.cssSelector("#overlap-cells tr[data-segment='Polo']"));
        assertThat(polo.getAttribute("class")).contains("suppressed");
        assertThat(polo.getText()).contains("suppressed").contains("fewer than 50 people").doesNotContain("9").doesNotContain("12");
        WebElement total = browser.findElement(By.cssSelector("#overlap-cells tfoot tr"));
        assertThat(total.findElements(By.tagName("td"))).extracting(WebElement::getText)
                .containsExactly("total", "58", "", "86.6 %"); // the cells shown only: 67 - 58 would give Polo away
        assertThat(app.jdbc().queryForObject("SELECT count(*) FROM caravan.audit_event WHERE action = 'overlap_query' "
                + "AND actor = 'otto'", Long.class)).isEqualTo(1);
        screenshot("console-overlap.png");
    }

    @Test
    void aViewerSeesTheAudiencesButCannotAsk() {
        signIn("vera", "vera-console-pass");
        browser.get(base + "/console/#/overlaps");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("overlap-run")));

        assertThat(browser.findElement(By.id("overlap-run")).isEnabled()).isFalse();
    }

    private void signIn(String user, String password) {
        browser.manage().deleteAllCookies();
        browser.get(base + "/console/");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("login-form")));
        browser.findElement(By.id("login-user")).sendKeys(user);
        browser.findElement(By.id("login-password")).sendKeys(password);
        browser.findElement(By.id("login-submit")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("app")));
    }

    private void screenshot(String name) throws Exception {
        Path target = Path.of("target", name);
        Files.createDirectories(target.getParent());
        Files.write(target, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }
}

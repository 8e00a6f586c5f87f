package io.caravan.flow;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.core.env.Environment;

/**
 * The integration engineer's pages of the console in a real headless Chromium: a sample file dropped
 * on a connector shows its preview as a table (tokens, never a raw value; nothing written), a hostile
 * file is refused with the reason. Runs in the {@code browser} profile; fails when Chromium is missing.
 */
@Tag("browser")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WorkflowConsoleBrowserIT {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path NORD_SAMPLE = Path.of("samples/dealer-nord/verkaeufe_2026-10.csv");
    private static final Duration UI_WAIT = Duration.ofSeconds(30);

    @TempDir
    static Path data;
    @TempDir
    static Path connectors;

    private CaravanApp app;
    private ChromeDriver browser;
    private WebDriverWait wait;
    private String base;

    @BeforeAll
    void startAppAndBrowser() throws IOException {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            throw new AssertionError("console tests need Debian's chromium and chromium-driver "
                    + "(apt-get install -y chromium chromium-driver): " + CHROMIUM + " or " + CHROMEDRIVER + " is missing");
        }
        try (java.util.stream.Stream<Path> files = Files.walk(Path.of("connectors"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Path target = connectors.resolve(Path.of("connectors").relativize(file).toString());
                Files.createDirectories(target.getParent());
                Files.copy(file, target);
            }
        }
        app = CaravanApp.start(data, "caravan.connectors-dir=" + connectors,
                "caravan.security.users[0].name=vera", "caravan.security.users[0].password={noop}vera-console-pass",
                "caravan.security.users[0].roles[0]=viewer",
                "caravan.security.users[1].name=otto", "caravan.security.users[1].password={noop}otto-console-pass",
                "caravan.security.users[1].roles[0]=operator");
        base = "http://localhost:" + app.bean(Environment.class).getProperty("local.server.port");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--window-size=1440,1900");
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

    @BeforeEach
    void freshPage() {
        browser.get(base + "/console/");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("login-form")));
    }

    @Test
    void operatorDropsASampleFileAndSeesWhatTheFlowWouldStoreWithNothingWritten() throws IOException {
        long batchesBefore = app.jdbc().queryForObject("SELECT count(*) FROM caravan.batch", Long.class);
        signIn("otto", "otto-console-pass");
        browser.findElement(By.cssSelector("#nav a[data-section=preview]")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("preview-connector")));
        browser.findElement(By.cssSelector("#preview-connector option[value='dealer-nord-sales']")).click();
        dropFile("verkaeufe_2026-10.csv", Files.readAllBytes(NORD_SAMPLE));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("preview-file-name"), "verkaeufe_2026-10.csv"));
        browser.findElement(By.id("preview-run")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#preview-rows tbody tr")));

        List<String> headers = browser.findElements(By.cssSelector("#preview-rows thead th")).stream().map(WebElement::getText).toList();
        assertThat(headers).contains("EMAIL_TOKEN", "MODEL").doesNotContain("EMAIL");
        assertThat(browser.findElements(By.cssSelector("#preview-rejections tbody tr"))).isNotEmpty();
        assertThat(browser.findElements(By.cssSelector("#preview-unmapped code")).stream().map(WebElement::getText).toList())
                .contains("Filiale");
        String page = browser.findElement(By.id("preview")).getText();
        List<String> identifiers = SampleIdentifiers.of(List.of(NORD_SAMPLE, Charset.forName("ISO-8859-1")));
        assertThat(identifiers).noneMatch(value -> SampleIdentifiers.occursIn(value, page));
        assertThat(page).contains("Nothing was written");
        assertThat(app.jdbc().queryForObject("SELECT count(*) FROM caravan.batch", Long.class)).isEqualTo(batchesBefore);
        screenshot("console-preview.png");

        dropFile("evil.xml", "<?xml version=\"1.0\"?><!DOCTYPE adf [<!ENTITY x \"y\">]><adf/>".getBytes());
        browser.findElement(By.cssSelector("#preview-connector option[value='autoboerse-leads-adf']")).click();
        browser.findElement(By.id("preview-run")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("preview-error")));
        assertThat(browser.findElement(By.id("preview-error")).getText()).contains("DOCTYPE");
    }

    @Test
    void viewerIsToldPreviewsNeedTheOperatorRole() {
        signIn("vera", "vera-console-pass");
        browser.get(base + "/console/#/preview");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("preview"), "operator role"));
        assertThat(browser.findElements(By.id("preview-run"))).isEmpty();
    }

    @Test
    void routesPageShowsAFailedLiveChangeWithItsFileAndPath() throws IOException {
        Path nord = connectors.resolve("dealer/dealer-kiel-broken.yaml");
        Files.writeString(nord, Files.readString(connectors.resolve("dealer/dealer-nord-sales.yaml"))
                .replace("id: dealer-nord-sales", "id: dealer-kiel-sales").replace("type: vin,", "type: vinn,"));
        try {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> app.jdbc().queryForObject(
                    "SELECT count(*) FROM caravan.reload_attempt WHERE outcome = 'rejected'", Long.class) > 0);
            signIn("vera", "vera-console-pass");
            browser.findElement(By.cssSelector("#nav a[data-section=routes]")).click();
            wait.until(ExpectedConditions.presenceOfElementLocated(By.id("reloads-failed")));
            String failed = browser.findElement(By.id("reloads-failed")).getText();
            assertThat(failed).contains("dealer-kiel-broken.yaml").contains("$.fields.vin.type").contains("rejected")
                    .contains("vinn");
            screenshot("console-reload-failed.png");
        } finally {
            Files.delete(nord);
        }
    }

    /** Drops a file on the drop zone as a user's drag and drop does (a DataTransfer holding a File). */
    private void dropFile(String name, byte[] content) {
        StringBuilder bytes = new StringBuilder();
        for (byte b : content) {
            bytes.append(b & 0xff).append(',');
        }
        ((JavascriptExecutor) browser).executeScript(
                "const bytes = new Uint8Array([" + bytes + "]);"
                        + "const transfer = new DataTransfer();"
                        + "transfer.items.add(new File([bytes], arguments[0]));"
                        + "const zone = document.getElementById('preview-drop');"
                        + "zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }));"
                        + "zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));",
                name);
    }

    private void signIn(String user, String password) {
        browser.findElement(By.id("login-user")).sendKeys(user);
        browser.findElement(By.id("login-password")).sendKeys(password);
        browser.findElement(By.id("login-submit")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("app")));
        assertThat(browser.findElement(By.id("who")).getText()).startsWith(user);
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

package io.caravan.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caravan.platform.GeneratedUsers;
import io.caravan.testing.ApiClient;
import io.caravan.testing.Inbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
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
 * The embedded default keeps lineage in the database (no {@code openlineage.yml}, no variable), and a
 * viewer sees on the console's Lineage page, per warehouse table, where its rows came from (the
 * dealers' inboxes through their routes, with the rows the last run delivered) and where they went
 * (the export to the leasing partner's outbox). Runs in the {@code browser} profile.
 */
@Tag("browser")
class LineageConsoleBrowserIT {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path data;

    @Test
    void viewerSeesWhereTheRowsOfEachTableCameFromAndWhereTheyWent() throws Exception {
        assertThat(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER))
                .as("console tests need Debian's chromium and chromium-driver").isTrue();
        try (CaravanApp app = CaravanApp.start(data, "caravan.lineage.poll-interval=300ms",
                "caravan.security.users[0].name=vera", "caravan.security.users[0].password={noop}vera-lineage-pass",
                "caravan.security.users[0].roles[0]=viewer")) {
            Inbox.deliver(Path.of("samples/dealer-nord/verkaeufe_2026-10.csv"), data.resolve("sftp/dealer-nord/inbox"));
            Inbox.deliver(Path.of("samples/dealer-sued/deliveries_2026-10.csv"), data.resolve("sftp/dealer-sued/inbox"));
            Map<String, Object> nord = app.awaitBatches("dealer-nord-sales", 1, WAIT).get(0);
            app.awaitBatches("dealer-sued-deliveries", 1, WAIT);
            GeneratedUsers.User operator = app.bean(GeneratedUsers.class).users().get(0);
            ApiClient api = ApiClient.onLocalhost(app.port());
            assertThat(api.post("/api/agreements/fahrbank-financed-sales/run",
                    ApiClient.basic(operator.name(), operator.password()), null).statusCode()).isEqualTo(202);
            await("lineage kept in the database").atMost(WAIT).until(() -> app.jdbc().queryForList(
                    "SELECT job_name || ' ' || event_type FROM caravan.lineage_event", String.class).containsAll(List.of(
                    "dealer-nord-sales START", "dealer-nord-sales COMPLETE", "dealer-sued-deliveries COMPLETE",
                    "export/fahrbank-financed-sales COMPLETE")));

            ChromeOptions options = new ChromeOptions();
            options.setBinary(CHROMIUM.toFile());
            options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                    "--window-size=1440,1600");
            ChromeDriver browser = new ChromeDriver(new ChromeDriverService.Builder()
                    .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build(), options);
            try {
                WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
                browser.get("http://localhost:" + app.port() + "/console/");
                wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("login-form")));
                browser.findElement(By.id("login-user")).sendKeys("vera");
                browser.findElement(By.id("login-password")).sendKeys("vera-lineage-pass");
                browser.findElement(By.id("login-submit")).click();
                wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("app")));
                browser.findElement(By.cssSelector("#nav a[data-section=lineage]")).click();
                WebElement sale = wait.until(ExpectedConditions.presenceOfElementLocated(
                        By.cssSelector(".lineage-dataset[data-dataset='caravan.sale']")));

                WebElement fromNord = sale.findElement(By.cssSelector("tr[data-from='dealer-nord/inbox'][data-job='dealer-nord-sales']"));
                List<String> cells = fromNord.findElements(By.tagName("td")).stream().map(WebElement::getText).toList();
                assertThat(cells.get(2)).isEqualTo("1");
                assertThat(cells.get(3)).isEqualTo("1");
                assertThat(cells.get(5)).isEqualTo(String.valueOf(nord.get("rows_delivered")));
                assertThat(sale.findElements(By.cssSelector("tr[data-from='dealer-sued/inbox'][data-job='dealer-sued-deliveries']")))
                        .hasSize(1);
                List<WebElement> toExport = sale.findElements(By.cssSelector("tr[data-job='export/fahrbank-financed-sales']"));
                assertThat(toExport).hasSize(1);
                assertThat(toExport.get(0).getAttribute("data-to")).startsWith("fahrbank-leasing/outbox/fahrbank-financed-sales-");
                assertThat(sale.getText()).doesNotContain("verkaeufe_2026-10.csv", "deliveries_2026-10.csv");
                Files.createDirectories(Path.of("target"));
                Files.write(Path.of("target", "console-lineage.png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
            } finally {
                browser.quit();
            }
        }
    }
}

package io.caravan.flow;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.testing.ApiClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
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
 * The console in a real headless Chromium (Debian's {@code chromium} and {@code chromium-driver};
 * nothing is downloaded) against the real application with its sample data: sign in, the sample
 * batches and one batch's ledger, run now as operator, refused as viewer, the media-versus-sales
 * chart with data seeded into the warehouse, and the metrics and health the operators scrape.
 * Runs in the {@code browser} profile ({@code mvn -Pbrowser test}); fails when Chromium is missing.
 */
@Tag("browser")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleBrowserIT {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Duration UI_WAIT = Duration.ofSeconds(20);
    private static final List<String> ADVERTISED = List.of("Golf", "id4", "passat", "Taycan");

    @TempDir
    static Path data;

    private CaravanApp app;
    private ChromeDriver browser;
    private WebDriverWait wait;
    private String base;

    @BeforeAll
    void startAppAndBrowser() throws Exception {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            throw new AssertionError("console tests need Debian's chromium and chromium-driver "
                    + "(apt-get install -y chromium chromium-driver): " + CHROMIUM + " or " + CHROMEDRIVER + " is missing");
        }
        app = CaravanApp.start(data, "caravan.samples.seed=true",
                "caravan.security.users[0].name=vera", "caravan.security.users[0].password={noop}vera-console-pass",
                "caravan.security.users[0].roles[0]=viewer",
                "caravan.security.users[1].name=otto", "caravan.security.users[1].password={noop}otto-console-pass",
                "caravan.security.users[1].roles[0]=operator");
        app.awaitBatches("dealer-nord-sales", 1, WAIT);
        app.awaitBatches("dealer-sued-deliveries", 1, WAIT);
        seedCampaignSpend();
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
    void viewerSignsInSeesTheSampleBatchesAndOpensOneWithItsLedgerAndRejections() {
        signIn("vera", "vera-console-pass");
        browser.findElement(By.cssSelector("#nav a[data-section=batches]")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#batches-table tr.batch-row")));

        List<String> routes = browser.findElements(By.cssSelector("#batches-table tr.batch-row td:nth-child(2)"))
                .stream().map(WebElement::getText).toList();
        assertThat(routes).contains("dealer-nord-sales", "dealer-sued-deliveries");

        Map<String, Object> nord = app.jdbc().queryForMap(
                "SELECT * FROM caravan.batch WHERE route_id = 'dealer-nord-sales' ORDER BY started_at LIMIT 1");
        browser.findElement(By.cssSelector("tr.batch-row[data-batch='" + nord.get("batch_id") + "']")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#batch .ledger-bar")));

        assertThat(outcomeCount("delivered")).isEqualTo(nord.get("rows_delivered"));
        assertThat(outcomeCount("rejected")).isEqualTo(nord.get("rows_rejected"));
        assertThat(outcomeCount("duplicate")).isEqualTo(nord.get("rows_duplicate"));
        List<String> rejectedFields = browser.findElements(By.cssSelector("#rejections-table tbody td:nth-child(2)"))
                .stream().map(WebElement::getText).toList();
        assertThat(rejectedFields).containsExactlyElementsOf(app.jdbc().queryForList(
                "SELECT field FROM caravan.rejection WHERE batch_id = ? ORDER BY row_number", String.class, nord.get("batch_id")));
        assertThat(browser.findElement(By.id("batch")).getText()).contains("VIN must have 17 characters");
        assertThat(browser.findElements(By.cssSelector("#unmapped-columns code")).stream().map(WebElement::getText).toList())
                .containsExactly("Filiale", "Ort", "Verkäufer");
        screenshot("console-batch.png");
    }

    @Test
    void batchesFilterByStatusAndPartner() {
        signIn("vera", "vera-console-pass");
        browser.get(base + "/console/#/batches?partner=dealer-sued");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#batches-table tr.batch-row")));
        assertThat(browser.findElements(By.cssSelector("#batches-table tr.batch-row td:nth-child(3)")))
                .extracting(WebElement::getText).containsOnly("dealer-sued");

        browser.get(base + "/console/#/batches?status=failed");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#batches p.empty")));
        assertThat(browser.findElements(By.cssSelector("tr.batch-row"))).isEmpty();
    }

    @Test
    void wrongPasswordKeepsTheLoginFormAndShowsNoData() {
        browser.findElement(By.id("login-user")).sendKeys("vera");
        browser.findElement(By.id("login-password")).sendKeys("not-her-password");
        browser.findElement(By.id("login-submit")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("login-error"), "wrong"));
        assertThat(browser.findElement(By.id("app")).isDisplayed()).isFalse();
        assertThat(browser.findElement(By.id("main")).getText()).isEmpty();
    }

    @Test
    void viewerCannotRunARouteAndTheApiRefusesItAnyway() {
        signIn("vera", "vera-console-pass");
        openRoutes();
        WebElement run = browser.findElement(By.cssSelector("button.run[data-route='dealer-nord-sales']"));
        assertThat(run.isEnabled()).isFalse();
        assertThat(run.getAttribute("title")).contains("operator");

        Object status = ((JavascriptExecutor) browser).executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                        + "fetch('/api/routes/dealer-nord-sales/run', {method: 'POST', credentials: 'omit',"
                        + " headers: {Authorization: 'Basic ' + btoa('vera:vera-console-pass')}}).then(r => done(r.status));");
        assertThat(status).isEqualTo(403L);
    }

    @Test
    void operatorRunsARouteNowAndSeesTheOutcome() {
        signIn("otto", "otto-console-pass");
        openRoutes();
        WebElement run = browser.findElement(By.cssSelector("button.run[data-route='dealer-sued-deliveries']"));
        assertThat(run.isEnabled()).isTrue();
        run.click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("flash"), "Run of dealer-sued-deliveries"));
        assertThat(browser.findElement(By.id("flash")).getText()).containsPattern("(finished|started): \\d+ batch")
                .doesNotContain("refused");
        wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector("button.run[data-route='dealer-sued-deliveries']")));
        screenshot("console-routes.png");
    }

    @Test
    void dashboardChartsMediaSpendAgainstSalesPerModelAndWeek() {
        signIn("vera", "vera-console-pass");
        browser.get(base + "/console/#/dashboard");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("svg.spend-sales-chart[data-model=golf]")));

        Map<LocalDate, Long> golfSales = salesPerWeek("golf");
        assertThat(golfSales).isNotEmpty();
        for (Map.Entry<LocalDate, Long> week : golfSales.entrySet()) {
            WebElement dot = browser.findElement(By.cssSelector(
                    "svg.spend-sales-chart[data-model=golf] circle.sales-dot[data-week='" + week.getKey() + "']"));
            assertThat(Long.parseLong(dot.getAttribute("data-sales"))).as("golf sales, week of " + week.getKey())
                    .isEqualTo(week.getValue());
        }
        LocalDate seededWeek = LocalDate.of(2026, 10, 12);
        WebElement bar = browser.findElement(By.cssSelector(
                "svg.spend-sales-chart[data-model=id4] rect.spend-bar[data-week='" + seededWeek + "']"));
        assertThat(Double.parseDouble(bar.getAttribute("data-spend"))).isEqualTo(spend(1, seededWeek));
        assertThat(Double.parseDouble(bar.getAttribute("height"))).isPositive();
        assertThat(browser.findElements(By.cssSelector("svg.cost-per-sale-chart rect"))).hasSizeGreaterThanOrEqualTo(3);
        assertThat(browser.findElement(By.id("mvs-table")).getText()).contains("ID.4", "Golf", "Taycan");
        screenshot("console-dashboard.png");
    }

    @Test
    void privacyAndPartnerSectionsShowCountsAndEmptyStates() {
        signIn("vera", "vera-console-pass");
        browser.get(base + "/console/#/privacy");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#privacy .kpis")));
        assertThat(browser.findElement(By.id("privacy")).getText()).containsIgnoringCase("Suppression list")
                .containsIgnoringCase("Consent events");

        browser.get(base + "/console/#/partners");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#partners p.empty")));
        assertThat(browser.findElement(By.id("partners")).getText()).contains("No exports");
    }

    @Test
    void prometheusCountsRowsPerRouteAndOutcomeBatchDurationsAndSftpLogins() throws Exception {
        ApiClient api = ApiClient.at(base);
        String metrics = api.get("/actuator/prometheus", null).body();
        Map<String, Object> nord = app.jdbc().queryForMap(
                "SELECT sum(rows_delivered) AS delivered, sum(rows_rejected) AS rejected FROM caravan.batch WHERE route_id = 'dealer-nord-sales'");
        assertThat(metrics).containsPattern("caravan_rows_total\\{[^}]*outcome=\"delivered\"[^}]*route=\"dealer-nord-sales\"[^}]*} "
                + ((Number) nord.get("delivered")).longValue() + "\\.0");
        assertThat(metrics).containsPattern("caravan_rows_total\\{[^}]*outcome=\"rejected\"[^}]*route=\"dealer-nord-sales\"[^}]*} "
                + ((Number) nord.get("rejected")).longValue() + "\\.0");
        assertThat(metrics).containsPattern("caravan_batch_duration_seconds_count\\{[^}]*route=\"dealer-sued-deliveries\"");
        assertThat(metrics).contains("caravan_sftp_logins_total").contains("caravan_sftp_bans_total");

        String health = api.get("/actuator/health", ApiClient.basic("vera", "vera-console-pass")).body();
        assertThat(health).contains("\"sftpGateway\":{\"status\":\"UP\"").contains("\"db\":{\"status\":\"UP\"");
    }

    // ---- helpers --------------------------------------------------------------------------------

    private void signIn(String user, String password) {
        browser.findElement(By.id("login-user")).sendKeys(user);
        browser.findElement(By.id("login-password")).sendKeys(password);
        browser.findElement(By.id("login-submit")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("app")));
        assertThat(browser.findElement(By.id("login")).isDisplayed()).isFalse();
        assertThat(browser.findElement(By.id("who")).getText()).startsWith(user);
        assertThat(browser.findElement(By.id("login-password")).getAttribute("value")).isEmpty();
        assertThat(((JavascriptExecutor) browser).executeScript(
                "return JSON.stringify(localStorage) + JSON.stringify(sessionStorage) + document.cookie")).asString()
                .doesNotContain(password);
    }

    private void openRoutes() {
        browser.findElement(By.cssSelector("#nav a[data-section=routes]")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#routes-table button.run")));
    }

    private Long outcomeCount(String outcome) {
        List<WebElement> parts = browser.findElements(By.cssSelector("#batch .ledger-bar rect[data-outcome='" + outcome + "']"));
        return parts.isEmpty() ? 0L : Long.valueOf(parts.get(0).getAttribute("data-count"));
    }

    /** Sales of one model per ISO week, counted here from the sale table (independent of the view). */
    private Map<LocalDate, Long> salesPerWeek(String modelKey) {
        Map<LocalDate, Long> weeks = new TreeMap<>();
        app.jdbc().query("SELECT sale_date, model FROM caravan.sale WHERE sale_date IS NOT NULL", rs -> {
            String key = rs.getString("model").toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}]", "");
            if (key.equals(modelKey)) {
                weeks.merge(rs.getDate("sale_date").toLocalDate().with(DayOfWeek.MONDAY), 1L, Long::sum);
            }
        });
        return weeks;
    }

    /** Campaign spend on the advertised models for the weeks of the sample sales (October 2026). */
    private void seedCampaignSpend() {
        for (LocalDate week = LocalDate.of(2026, 9, 28); week.isBefore(LocalDate.of(2026, 11, 2)); week = week.plusWeeks(1)) {
            for (int m = 0; m < ADVERTISED.size(); m++) {
                String model = ADVERTISED.get(m);
                app.jdbc().update("INSERT INTO caravan.campaign_performance (record_key, connector_id, partner_id, data_class, "
                                + "batch_id, ingested_at, platform, account_id, campaign_id, campaign_name, perf_date, impressions, "
                                + "clicks, spend_amount, currency, taxonomy_valid, brand, market, model, funnel_stage, channel) "
                                + "VALUES (?, 'ads-test', 'adplatform', 'second_party', 'seed', now(), 'meta', 'acc-1', ?, ?, ?, "
                                + "50000, 900, ?, 'EUR', true, 'vw', 'de', ?, 'consideration', 'social')",
                        "seed-" + model + "-" + week, "cmp-" + m, "vw_de_" + model + "_consideration_social",
                        Date.valueOf(week.plusDays(2)), spend(m, week), model);
            }
        }
    }

    private static double spend(int model, LocalDate week) {
        return 1200 + 350 * model + 40 * week.getDayOfMonth();
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

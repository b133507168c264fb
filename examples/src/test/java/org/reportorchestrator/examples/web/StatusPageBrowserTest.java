package org.reportorchestrator.examples.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.reportorchestrator.NonRetryableException;
import org.reportorchestrator.ReportContext;
import org.reportorchestrator.ReportResult;
import org.reportorchestrator.examples.InventoryExportTask;
import picocli.CommandLine;

/**
 * Drives the status page in a real headless Chromium against a running report server: the system's
 * {@code chromium} and {@code chromedriver}, never a downloaded one. Without them the tests are
 * skipped, or fail with {@code -Dorchestrator.requireBrowser=true} (as CI runs them).
 */
class StatusPageBrowserTest {

  private static final Path CHROMIUM =
      Path.of(System.getProperty("orchestrator.chromium", "/usr/bin/chromium"));
  private static final Path CHROMEDRIVER =
      Path.of(System.getProperty("orchestrator.chromedriver", "/usr/bin/chromedriver"));
  private static final Path SCREENSHOTS = Path.of("target", "status-page");
  private static final Duration PATIENCE = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The gates the gated report waits at, by name; a test opens one to let its job finish. */
  private static final Map<String, CountDownLatch> GATES = new ConcurrentHashMap<>();

  private static final Map<String, AtomicInteger> LEDGER_RUNS = new ConcurrentHashMap<>();

  private static ReportServer.Running server;
  private static ChromeDriver browser;
  private static String base;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void startServerAndBrowser() {
    requireBrowser();
    ReportServer command = new ReportServer();
    String url = "jdbc:h2:mem:page-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    new CommandLine(command)
        .parseArgs("--port", "0", "--jdbc-url", url, "--workers", "4", "--sample-seconds", "1");
    server =
        command.start(
            List.of(
                new ReportType(
                    "gated-report", StatusPageBrowserTest::gated, Map.of("gate", "example")),
                new ReportType(
                    "quick-report",
                    context -> ReportResult.ofText("quick\n", "text/plain"),
                    Map.of()),
                new ReportType(
                    "inventory-export", new InventoryExportTask(), Map.of("warehouse", "oslo")),
                new ReportType(
                    "ledger-report", StatusPageBrowserTest::ledger, Map.of("ledger", "2026"))));
    base = "http://127.0.0.1:" + server.port();

    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1366,900");
    browser = new ChromeDriver(service, options);
  }

  @AfterAll
  static void stopBrowserAndServer() {
    try {
      if (browser != null) {
        browser.quit();
      }
    } finally {
      GATES.values().forEach(CountDownLatch::countDown);
      if (server != null) {
        server.close();
      }
    }
  }

  @Test
  void aReportSubmittedFromTheFormShowsItsProgressUntilCompletedAndItsResultDownloads()
      throws Exception {
    String id = submitFromTheForm("gated-report", "gate", "download");

    awaitText(By.id("job-progress-percent"), "50%");
    assertThat(text(By.id("job-progress-message"))).isEqualTo("halfway, waiting at gate download");
    assertThat(state()).isEqualTo("RUNNING");
    assertThat(text(By.id("job-parameters"))).isEqualTo("gate = download");

    gate("download").countDown();

    awaitState("COMPLETED");
    awaitText(By.id("job-progress-percent"), "100%");
    assertThat(browser.findElement(By.id("job-progress")).getDomProperty("value")).isEqualTo("100");
    assertThat(browser.findElement(By.id("cancel-job")).isDisplayed()).isFalse();
    WebElement link =
        waitUntil(ExpectedConditions.visibilityOfElementLocated(By.id("job-result-link")));
    assertThat(link.getText()).isEqualTo("Download download.txt");
    String href = link.getDomProperty("href");
    assertThat(href).isEqualTo(base + "/reports/" + id + "/result");
    HttpResponse<byte[]> result =
        http.send(
            HttpRequest.newBuilder(URI.create(href)).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(result.statusCode()).isEqualTo(200);
    assertThat(result.body()).isEqualTo("gated report download\n".getBytes(StandardCharsets.UTF_8));
    screenshot("job-detail.png");
  }

  @Test
  void aRunningReportIsCancelledFromItsPage() throws Exception {
    submitFromTheForm("gated-report", "gate", "never-opened");
    awaitText(By.id("job-progress-percent"), "50%");
    assertThat(state()).isEqualTo("RUNNING");

    browser.findElement(By.id("cancel-job")).click();

    awaitState("CANCELLED");
    waitUntil(ExpectedConditions.invisibilityOfElementLocated(By.id("cancel-job")));
    assertThat(browser.findElement(By.id("job-result")).isDisplayed()).isFalse();
    assertThat(browser.findElement(By.id("action-problem")).isDisplayed()).isFalse();
  }

  @Test
  void aFailedReportIsFoundByItsFiltersAndShowsItsErrorWithTheStackTraceCollapsed()
      throws Exception {
    String failed = submitOverHttp("inventory-export", "{\"warehouse\":\"atlantis\"}");
    submitOverHttp("inventory-export", "{\"warehouse\":\"oslo\"}");

    openList();
    new Select(browser.findElement(By.id("filter-state"))).selectByValue("FAILED");
    waitUntil(ExpectedConditions.urlContains("state=FAILED"));
    new Select(browser.findElement(By.id("filter-type"))).selectByValue("inventory-export");
    waitUntil(ExpectedConditions.urlContains("type=inventory-export"));
    // the failing job shows up once it has failed; the list refreshes by itself
    By row = By.cssSelector("#jobs-body tr[data-job-id='" + failed + "'] a");
    waitUntil(ExpectedConditions.elementToBeClickable(row)).click();

    awaitState("FAILED");
    WebElement error = waitUntil(ExpectedConditions.visibilityOfElementLocated(By.id("job-error")));
    assertThat(error.findElement(By.id("job-error-type")).getText())
        .isEqualTo("org.reportorchestrator.NonRetryableException");
    assertThat(text(By.id("job-error-message"))).contains("unknown warehouse 'atlantis'");
    WebElement trace = browser.findElement(By.id("job-error-stack-trace"));
    assertThat(trace.isDisplayed()).isFalse();

    browser.findElement(By.cssSelector("#job-error-details summary")).click();

    waitUntil(
        ExpectedConditions.textToBePresentInElement(
            trace, "at org.reportorchestrator.examples.InventoryExportTask.run("));
    assertThat(browser.findElement(By.id("cancel-job")).isDisplayed()).isFalse();
    assertThat(browser.findElement(By.id("job-result")).isDisplayed()).isFalse();
  }

  @Test
  void aFailedReportIsRetriedFromItsPageAndItsHistoryShowsBothRuns() throws Exception {
    String id = submitOverHttp("ledger-report", "{\"ledger\":\"2026\"}");
    browser.get("about:blank");
    browser.get(base + "/#/jobs/" + id);
    awaitState("FAILED");
    waitUntil(ExpectedConditions.attributeToBe(By.id("job-history"), "data-entries", "3"));
    List<WebElement> before = browser.findElements(By.cssSelector("#job-history li"));
    assertThat(before.get(0).getText()).contains("submitted").contains("REQUESTED");
    assertThat(before.get(2).getText())
        .contains("RUNNING", "FAILED", "attempt 1", "on ")
        .contains("org.reportorchestrator.NonRetryableException: ledger 2026 is locked");

    gate("ledger-2026").countDown();
    browser.findElement(By.id("retry-job")).click();

    awaitState("COMPLETED");
    waitUntil(ExpectedConditions.attributeToBe(By.id("job-history"), "data-entries", "6"));
    List<String> moves = new ArrayList<>();
    for (WebElement entry : browser.findElements(By.cssSelector("#job-history li"))) {
      moves.add(entry.getDomAttribute("data-to"));
    }
    assertThat(moves)
        .containsExactly("REQUESTED", "RUNNING", "FAILED", "REQUESTED", "RUNNING", "COMPLETED");
    assertThat(browser.findElements(By.cssSelector("#job-history li")).get(3).getText())
        .contains("FAILED", "REQUESTED");
    assertThat(browser.findElement(By.id("retry-job")).isDisplayed()).isFalse();
    assertThat(browser.findElement(By.id("job-result-link")).isDisplayed()).isTrue();
    screenshot("job-history.png");
  }

  @Test
  void aSecondRetryOfTheSameFailureIsRefusedWithItsReason() throws Exception {
    String id = submitOverHttp("ledger-report", "{\"ledger\":\"1999\"}");
    browser.get("about:blank");
    browser.get(base + "/#/jobs/" + id);
    awaitState("FAILED");
    // another operator retried it meanwhile: its second run holds at the gate, RUNNING
    HttpResponse<String> first = post("/reports/" + id + "/retry");
    assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
    await().atMost(PATIENCE).until(() -> LEDGER_RUNS.get("1999").get() == 2);

    browser.findElement(By.id("retry-job")).click();

    WebElement problem =
        waitUntil(ExpectedConditions.visibilityOfElementLocated(By.id("action-problem")));
    assertThat(problem.getText())
        .contains("is RUNNING; only a FAILED or CANCELLED job can be retried");
    awaitState("RUNNING");
    gate("ledger-1999").countDown();
    awaitState("COMPLETED");
  }

  @Test
  void theOverviewCountsJobsByTypeAndStateLinksToThemAndChartsTheLastHour() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ids.add(submitOverHttp("quick-report", "{}"));
    }
    String failed = submitOverHttp("inventory-export", "{\"warehouse\":\"atlantis\"}");

    openList();
    By completedQuick =
        By.cssSelector("#counts-body tr[data-type='quick-report'] td[data-state='COMPLETED']");
    waitUntil(
        driver ->
            Integer.parseInt(driver.findElement(completedQuick).getDomAttribute("data-count"))
                >= ids.size());
    waitUntil(
        driver ->
            Integer.parseInt(
                    driver
                        .findElement(
                            By.cssSelector(
                                "#counts-body tr[data-type='inventory-export']"
                                    + " td[data-state='FAILED']"))
                        .getDomAttribute("data-count"))
                >= 1);
    WebElement chart =
        waitUntil(
            driver -> {
              WebElement holder = driver.findElement(By.id("activity-chart"));
              return Integer.parseInt(holder.getDomAttribute("data-samples")) >= 2
                      && !holder.findElements(By.tagName("canvas")).isEmpty()
                  ? holder
                  : null;
            });
    assertThat(chart.findElement(By.tagName("canvas")).getSize().getWidth()).isPositive();
    screenshot("overview.png");

    browser.findElement(completedQuick).findElement(By.tagName("a")).click();

    waitUntil(ExpectedConditions.urlContains("state=COMPLETED"));
    assertThat(browser.getCurrentUrl()).contains("type=quick-report");
    for (String id : ids) {
      awaitRow(id, "COMPLETED");
    }
    assertThat(browser.findElements(row(failed))).isEmpty();
  }

  @Test
  void theListPagesByCursorAndKeepsItsFiltersWhileItRefreshes() throws Exception {
    Set<String> submitted = new HashSet<>();
    for (int i = 0; i < 12; i++) {
      submitted.add(submitOverHttp("quick-report", "{}"));
    }

    openList();
    new Select(browser.findElement(By.id("filter-type"))).selectByValue("quick-report");
    waitUntil(ExpectedConditions.urlContains("type=quick-report"));
    new Select(browser.findElement(By.id("filter-limit"))).selectByValue("10");
    waitUntil(ExpectedConditions.urlContains("limit=10"));
    List<String> firstPage = awaitRows(10);
    assertThat(browser.findElement(By.id("first-page")).isEnabled()).isFalse();

    waitUntil(ExpectedConditions.elementToBeClickable(By.id("next-page"))).click();
    waitUntil(ExpectedConditions.urlContains("after="));
    List<String> secondPage = awaitRows(2);
    waitUntil(ExpectedConditions.not(ExpectedConditions.elementToBeClickable(By.id("next-page"))));
    List<String> listed = new ArrayList<>(firstPage);
    listed.addAll(secondPage);
    assertThat(listed).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(submitted);

    browser.findElement(By.id("first-page")).click();
    waitUntil(ExpectedConditions.not(ExpectedConditions.urlContains("after=")));
    assertThat(awaitRows(10)).isEqualTo(firstPage);

    // two refreshes later the filters and the page are as they were
    int refreshes = refreshes();
    waitUntil(driver -> refreshes() >= refreshes + 2);
    assertThat(selected("filter-type")).isEqualTo("quick-report");
    assertThat(selected("filter-limit")).isEqualTo("10");
    assertThat(selected("filter-state")).isEmpty();
    assertThat(rowIds()).isEqualTo(firstPage);

    // newest first is the default; oldest first lists the same jobs the other way round
    assertThat(selected("filter-order")).isEqualTo("newest");
    new Select(browser.findElement(By.id("filter-order"))).selectByValue("oldest");
    waitUntil(ExpectedConditions.urlContains("order=oldest"));
    List<String> oldestFirst = new ArrayList<>(listed);
    Collections.reverse(oldestFirst);
    waitUntil(driver -> rowIds().equals(oldestFirst.subList(0, 10)));
  }

  @Test
  void problemsFromTheApiAreShownWithTheirDetail() {
    String unknown = UUID.randomUUID().toString();
    browser.get(base + "/#/jobs/" + unknown);
    WebElement problem =
        waitUntil(ExpectedConditions.visibilityOfElementLocated(By.id("detail-problem")));
    assertThat(problem.getText()).isEqualTo("no job with id " + unknown);

    openList();
    new Select(browser.findElement(By.id("submit-type"))).selectByValue("quick-report");
    WebElement value =
        browser.findElement(By.cssSelector("#submit-parameters .parameter [name=value]"));
    browser
        .findElement(By.cssSelector("#submit-parameters .parameter [name=key]"))
        .sendKeys("huge");
    // typing 70,000 characters would take a while; the browser's own setter is as good
    ((JavascriptExecutor) browser).executeScript("arguments[0].value = 'x'.repeat(70000)", value);
    browser.findElement(By.id("submit-button")).click();

    WebElement refused =
        waitUntil(ExpectedConditions.visibilityOfElementLocated(By.id("submit-problem")));
    assertThat(refused.getText()).contains("65536 bytes");
    assertThat(browser.getCurrentUrl()).doesNotContain("#/jobs/");
  }

  @Test
  void theJobListIsTheFirstThingShownWithEachJobsState() throws Exception {
    String completed = submitOverHttp("inventory-export", "{\"warehouse\":\"lisbon\"}");
    String failed = submitOverHttp("inventory-export", "{\"warehouse\":\"atlantis\"}");
    String running = submitOverHttp("gated-report", "{\"gate\":\"list-screenshot\"}");

    openList();

    awaitRow(completed, "COMPLETED");
    awaitRow(failed, "FAILED");
    awaitRow(running, "RUNNING");
    assertThat(browser.findElement(row(completed)).getText())
        .contains("inventory-export", "1 of 3", "100%");
    assertThat(browser.findElement(row(running)).getText()).contains("gated-report", "50%");
    screenshot("job-list.png");
    gate("list-screenshot").countDown();
  }

  private void awaitRow(String id, String state) {
    waitUntil(
        ExpectedConditions.presenceOfElementLocated(
            By.cssSelector(
                "#jobs-body tr[data-job-id='" + id + "'] [data-state='" + state + "']")));
  }

  private static By row(String id) {
    return By.cssSelector("#jobs-body tr[data-job-id='" + id + "']");
  }

  /** Submits from the form, which opens the new job; returns its id. */
  private String submitFromTheForm(String type, String key, String value) {
    openList();
    new Select(browser.findElement(By.id("submit-type"))).selectByValue(type);
    WebElement keyField =
        browser.findElement(By.cssSelector("#submit-parameters .parameter [name=key]"));
    keyField.clear();
    keyField.sendKeys(key);
    WebElement valueField =
        browser.findElement(By.cssSelector("#submit-parameters .parameter [name=value]"));
    valueField.clear();
    valueField.sendKeys(value);
    browser.findElement(By.id("submit-button")).click();
    WebElement detail = waitUntil(ExpectedConditions.presenceOfElementLocated(By.id("job-detail")));
    String id = detail.getDomAttribute("data-job-id");
    assertThat(browser.getCurrentUrl()).endsWith("#/jobs/" + id);
    awaitText(By.id("job-type"), type);
    return id;
  }

  /** Loads the page afresh (a new hash alone would keep the last test's form). */
  private void openList() {
    browser.get("about:blank");
    browser.get(base + "/#/");
    waitUntil(ExpectedConditions.attributeToBe(By.tagName("body"), "data-ready", "true"));
    waitUntil(ExpectedConditions.presenceOfElementLocated(By.id("jobs-table")));
  }

  private String submitOverHttp(String type, String parameters) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/reports/" + type))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(parameters, StandardCharsets.UTF_8))
                .build(),
            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    return JSON.readTree(response.body()).get("id").asText();
  }

  private HttpResponse<String> post(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(10))
            .POST(HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  private List<String> awaitRows(int count) {
    waitUntil(driver -> rowIds().size() == count);
    return rowIds();
  }

  private List<String> rowIds() {
    List<String> ids = new ArrayList<>();
    for (WebElement row : browser.findElements(By.cssSelector("#jobs-body tr[data-job-id]"))) {
      ids.add(row.getDomAttribute("data-job-id"));
    }
    return ids;
  }

  private int refreshes() {
    String count = browser.findElement(By.id("list-updated")).getDomAttribute("data-refreshes");
    return count == null ? 0 : Integer.parseInt(count);
  }

  private String selected(String selectId) {
    return new Select(browser.findElement(By.id(selectId)))
        .getFirstSelectedOption()
        .getDomProperty("value");
  }

  private String state() {
    return browser
        .findElement(By.cssSelector("#job-state [data-state]"))
        .getDomAttribute("data-state");
  }

  private void awaitState(String state) {
    waitUntil(
        ExpectedConditions.presenceOfElementLocated(
            By.cssSelector("#job-state [data-state='" + state + "']")));
  }

  private void awaitText(By locator, String text) {
    waitUntil(ExpectedConditions.textToBe(locator, text));
  }

  private String text(By locator) {
    return browser.findElement(locator).getText();
  }

  private static <T> T waitUntil(
      java.util.function.Function<? super org.openqa.selenium.WebDriver, T> condition) {
    return new WebDriverWait(browser, PATIENCE).until(condition);
  }

  private static void screenshot(String name) throws IOException {
    Files.createDirectories(SCREENSHOTS);
    Files.write(SCREENSHOTS.resolve(name), browser.getScreenshotAs(OutputType.BYTES));
  }

  /** Reports progress, waits at the gate its parameter names, then completes. */
  private static ReportResult gated(ReportContext context) throws InterruptedException {
    String name = context.parameter("gate");
    context.progress(50, "halfway, waiting at gate " + name);
    gate(name).await(); // a cancel interrupts this
    context.progress(100, "through gate " + name);
    return ReportResult.ofText("gated report " + name + "\n", "text/plain")
        .withFileName(name + ".txt");
  }

  /**
   * Fails for good on its first run ("locked"), so that a retry from the page has something to do;
   * later runs wait at the gate named after the ledger, then complete.
   */
  private static ReportResult ledger(ReportContext context) throws InterruptedException {
    String ledger = context.parameter("ledger");
    int run = LEDGER_RUNS.computeIfAbsent(ledger, unused -> new AtomicInteger()).incrementAndGet();
    if (run == 1) {
      throw new NonRetryableException("ledger " + ledger + " is locked");
    }
    if (!gate("ledger-" + ledger).await(PATIENCE.toSeconds(), TimeUnit.SECONDS)) {
      throw new IllegalStateException("gate ledger-" + ledger + " never opened");
    }
    return ReportResult.ofText("ledger " + ledger + "\n", "text/plain").withFileName("ledger.txt");
  }

  private static CountDownLatch gate(String name) {
    return GATES.computeIfAbsent(name, unused -> new CountDownLatch(1));
  }

  private static void requireBrowser() {
    if (Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER)) {
      return;
    }
    String message =
        "the status page's browser test needs "
            + CHROMIUM
            + " and "
            + CHROMEDRIVER
            + ": install the Debian packages chromium and chromium-driver"
            + " (apt-get install chromium chromium-driver), or point -Dorchestrator.chromium and"
            + " -Dorchestrator.chromedriver at another Chromium and its driver";
    if (Boolean.getBoolean("orchestrator.requireBrowser")) {
      fail(message + " (-Dorchestrator.requireBrowser=true asks for this test to run)");
    }
    Assumptions.assumeTrue(false, "skipped: " + message);
  }
}

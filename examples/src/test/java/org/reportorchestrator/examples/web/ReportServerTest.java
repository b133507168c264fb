package org.reportorchestrator.examples.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Drives the web example over real HTTP on the loopback interface, one fresh server per test. */
class ReportServerTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private ReportServer.Running server;
  private String base;

  @BeforeEach
  void startServer() {
    ReportServer command = new ReportServer();
    String url = "jdbc:h2:mem:web-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    new CommandLine(command)
        .parseArgs(
            "--port", "0", "--host", "127.0.0.1", "--jdbc-url", url, "--sample-seconds", "1");
    server = command.start();
    base = "http://127.0.0.1:" + server.port();
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  @Test
  void submitAnswersAcceptedAtOnceAndTheResultIsServedOnceCompleted() throws Exception {
    HttpResponse<String> submitted =
        post("/reports/sales-summary", "{\"from\":\"2026-01\",\"months\":\"3\"}", null);

    assertThat(submitted.statusCode()).isEqualTo(202);
    JsonNode body = JSON.readTree(submitted.body());
    String id = body.get("id").asText();
    assertThat(body.get("state").asText()).isEqualTo("REQUESTED");
    assertThat(submitted.headers().firstValue("Location")).hasValue("/reports/" + id);

    JsonNode done = awaitState(id, "COMPLETED");
    assertThat(done.get("type").asText()).isEqualTo("sales-summary");
    assertThat(done.get("attempt").asInt()).isEqualTo(1);
    assertThat(done.get("maxAttempts").asInt()).isEqualTo(3);
    assertThat(done.at("/progress/percent").asInt()).isEqualTo(100);
    assertThat(done.at("/progress/message").asText()).isEqualTo("aggregated 2026-03");
    assertThat(Instant.parse(done.get("finishedAt").asText()))
        .isAfterOrEqualTo(Instant.parse(done.get("createdAt").asText()));
    assertThat(done.get("error").isNull()).isTrue();
    assertThat(done.at("/result/fileName").asText()).isEqualTo("sales-2026-01.csv");
    assertThat(done.at("/result/metadata/rows").asText()).isEqualTo("3");

    HttpResponse<String> result = get("/reports/" + id + "/result");
    assertThat(result.statusCode()).isEqualTo(200);
    assertThat(result.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("text/csv"));
    assertThat(result.headers().firstValue("Content-Disposition"))
        .hasValue("attachment; filename=\"sales-2026-01.csv\"");
    assertThat(result.body())
        .startsWith("month,revenue\n2026-01,")
        .contains("\n2026-03,")
        .hasLineCount(4);
    assertThat(done.at("/result/sizeBytes").asLong())
        .isEqualTo(result.body().getBytes(StandardCharsets.UTF_8).length);
  }

  @Test
  void unknownReportTypeIsNotFoundNamingTheRegisteredTypesAndStoresNothing() throws Exception {
    assertThat(error(post("/reports/profit-forecast", "{}", null), 404))
        .contains("profit-forecast", "inventory-export", "sales-summary");
    assertThat(storedJobs()).isZero();
  }

  @Test
  void invalidParametersAreBadRequestNamingWhatIsWrongAndStoreNothing() throws Exception {
    assertThat(error(post("/reports/sales-summary", "{\"from\":null}", null), 400))
        .contains("'from'", "null");
    assertThat(error(post("/reports/sales-summary", "{\"months\":12}", null), 400))
        .contains("'months'", "JSON string");
    assertThat(error(post("/reports/sales-summary", "[\"2026-01\"]", null), 400))
        .contains("JSON object", "array");
    assertThat(error(post("/reports/sales-summary", "{\"from\":", null), 400))
        .contains("not valid JSON");
    String oversized = "{\"from\":\"" + "x".repeat(70_000) + "\"}";
    assertThat(error(post("/reports/sales-summary", oversized, null), 400)).contains("65536 bytes");
    assertThat(error(post("/reports/sales-summary?priority=high", "{}", null), 400))
        .contains("priority");
    assertThat(storedJobs()).isZero();
  }

  @Test
  void aRequestWithoutARequiredParameterIsBadRequestNamingItAndStoresNothing() throws Exception {
    HttpResponse<String> noBody =
        send(request("/reports/sales-summary").POST(HttpRequest.BodyPublishers.noBody()).build());
    assertThat(error(noBody, 400))
        .isEqualTo("report type 'sales-summary': parameter 'from' is required but was not given");
    assertThat(error(post("/reports/sales-summary", "{\"from\":\"2026-01\"}", null), 400))
        .contains("'months'", "'sales-summary'");
    assertThat(error(post("/reports/inventory-export", "{\"warehouse\":\"\"}", null), 400))
        .contains("'warehouse'", "blank");
    assertThat(storedJobs()).isZero();
  }

  @Test
  void runningReportIsCancelledAndHasNoResult() throws Exception {
    String id =
        submittedId(
            post("/reports/sales-summary", "{\"from\":\"2020-01\",\"months\":\"200\"}", null));
    awaitState(id, "RUNNING");

    assertThat(error(get("/reports/" + id + "/result"), 409)).contains("RUNNING");
    assertThat(error(get("/reports/" + id + "/error"), 404)).contains("has no error", "RUNNING");

    HttpResponse<String> cancelled = send(request("/reports/" + id).DELETE().build());
    assertThat(cancelled.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(cancelled.body()).get("outcome").asText())
        .isIn("CANCELLATION_REQUESTED", "CANCELLED");

    awaitState(id, "CANCELLED");
    assertThat(error(get("/reports/" + id + "/result"), 409)).contains("CANCELLED");
    JsonNode page = JSON.readTree(get("/reports?state=cancelled").body());
    assertThat(page.get("jobs")).hasSize(1);
    assertThat(page.at("/jobs/0/id").asText()).isEqualTo(id);
  }

  @Test
  void theSameIdempotencyKeyGivesTheSameJob() throws Exception {
    String body = "{\"warehouse\":\"oslo\"}";
    String first = submittedId(post("/reports/inventory-export", body, "order-42"));
    String second = submittedId(post("/reports/inventory-export", body, "order-42"));
    String third =
        submittedId(post("/reports/inventory-export?idempotencyKey=order-42", body, null));

    assertThat(second).isEqualTo(first);
    assertThat(third).isEqualTo(first);
    assertThat(storedJobs()).isEqualTo(1);
  }

  @Test
  void failedJobsAreListedByStateAndTypeWithTheirErrorButNoStackTrace() throws Exception {
    String failing = oneFailedAndOneCompletedExport();

    JsonNode page =
        JSON.readTree(get("/reports?state=failed&type=inventory-export&limit=10").body());

    assertThat(page.get("limit").asInt()).isEqualTo(10);
    assertThat(page.get("next").isNull()).isTrue();
    assertThat(page.get("jobs")).hasSize(1);
    JsonNode job = page.at("/jobs/0");
    assertThat(job.get("id").asText()).isEqualTo(failing);
    assertThat(job.at("/error/type").asText())
        .isEqualTo("org.reportorchestrator.NonRetryableException");
    assertThat(job.at("/error/message").asText()).contains("unknown warehouse 'atlantis'");
    assertThat(job.toString()).doesNotContain("stackTrace", "\tat ");
    assertThat(error(get("/reports?state=lost"), 400)).contains("lost", "FAILED");

    HttpResponse<String> full = get("/reports/" + failing + "/error");
    assertThat(full.statusCode()).isEqualTo(200);
    JsonNode error = JSON.readTree(full.body());
    assertThat(error.get("type").asText())
        .isEqualTo("org.reportorchestrator.NonRetryableException");
    assertThat(error.get("message").asText()).contains("unknown warehouse 'atlantis'");
    assertThat(error.get("stackTrace").asText())
        .startsWith("org.reportorchestrator.NonRetryableException: unknown warehouse")
        .contains("\tat org.reportorchestrator.examples.InventoryExportTask.run(");
  }

  @Test
  void statisticsCountTheWholeStoreByTypeAndStateAndTheNodeIsHealthy() throws Exception {
    oneFailedAndOneCompletedExport();

    waiting()
        .until(
            () -> {
              JsonNode counts = JSON.readTree(get("/stats").body()).at("/types/0/counts");
              return counts.path("FAILED").asInt() == 1 && counts.path("COMPLETED").asInt() == 1;
            });
    JsonNode stats = JSON.readTree(get("/stats").body());
    assertThat(stats.get("types")).hasSize(1);
    assertThat(stats.at("/types/0/type").asText()).isEqualTo("inventory-export");
    assertThat(stats.at("/types/0/counts/REQUESTED").asInt()).isZero();
    assertThat(stats.get("due").asInt()).isZero();
    assertThat(stats.get("lagSeconds").asDouble()).isZero();

    HttpResponse<String> health = get("/health");
    assertThat(health.statusCode()).isEqualTo(200);
    JsonNode node = JSON.readTree(health.body());
    assertThat(node.get("status").asText()).isEqualTo("UP");
    assertThat(node.get("schedulerAlive").asBoolean()).isTrue();
    assertThat(node.get("workers").asInt()).isEqualTo(4);
    assertThat(node.get("problems")).isEmpty();
  }

  @Test
  void theActivityChartGetsASampleForEachReadingOfTheStatistics() throws Exception {
    waiting().until(() -> JSON.readTree(get("/stats/activity").body()).get("samples").size() >= 2);

    JsonNode samples = JSON.readTree(get("/stats/activity").body()).get("samples");
    assertThat(samples.get(0).get("finishedPerMinute").isNull())
        .as("the first reading has nothing to compare with")
        .isTrue();
    assertThat(samples.get(1).get("finishedPerMinute").asDouble()).isZero();
    assertThat(Instant.parse(samples.get(1).get("at").asText()))
        .isAfter(Instant.parse(samples.get(0).get("at").asText()));
  }

  @Test
  void theChartLibraryThePageLoadsIsServedFromItsWebJar() throws Exception {
    String page = get("/").body() + get("/js/overview.js").body();
    Matcher webjars = Pattern.compile("/webjars/[^'\"]+").matcher(page);
    List<String> paths = new ArrayList<>();
    while (webjars.find()) {
      paths.add(webjars.group());
    }

    assertThat(paths)
        .anyMatch(path -> path.endsWith(".js"))
        .anyMatch(path -> path.endsWith(".css"));
    for (String path : paths) {
      assertThat(get(path).statusCode()).as(path).isEqualTo(200);
    }
  }

  @Test
  void reportTypesAreListedWithExampleParametersThatRun() throws Exception {
    HttpResponse<String> response = get("/report-types");

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode types = JSON.readTree(response.body()).get("types");
    assertThat(types.findValuesAsText("name")).containsExactly("sales-summary", "inventory-export");
    for (JsonNode type : types) {
      String id =
          submittedId(
              post(
                  "/reports/" + type.get("name").asText(),
                  type.get("exampleParameters").toString(),
                  null));
      awaitState(id, "COMPLETED");
    }
  }

  @Test
  void theStatusPageIsServedAtTheRoot() throws Exception {
    HttpResponse<String> page = get("/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("text/html"));
    assertThat(page.body()).contains("<script type=\"module\" src=\"js/app.js\">");

    HttpResponse<String> script = get("/js/app.js");
    assertThat(script.statusCode()).isEqualTo(200);
    // browsers run a module script only when it is served as JavaScript
    assertThat(script.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).contains("javascript"));
  }

  @Test
  void unknownRoutesAndMethodsAnswerProblemsToo() throws Exception {
    assertThat(error(get("/reports/" + UUID.randomUUID() + "/history"), 404)).isNotBlank();
    assertThat(
            error(
                send(
                    request("/reports")
                        .method("PATCH", HttpRequest.BodyPublishers.noBody())
                        .build()),
                405))
        .isNotBlank();
  }

  @Test
  void pagesFollowOneAnotherByTheCursorOfTheLastJob() throws Exception {
    Set<String> submitted = new HashSet<>();
    for (int i = 0; i < 5; i++) {
      submitted.add(
          submittedId(post("/reports/inventory-export", "{\"warehouse\":\"oslo\"}", null)));
    }

    List<String> listed = new ArrayList<>();
    JsonNode page = JSON.readTree(get("/reports?type=inventory-export&limit=2").body());
    listed.addAll(ids(page));
    while (!page.get("next").isNull()) {
      page =
          JSON.readTree(
              get("/reports?type=inventory-export&limit=2&after=" + page.get("next").asText())
                  .body());
      listed.addAll(ids(page));
    }

    assertThat(listed).containsExactlyInAnyOrderElementsOf(submitted);
    assertThat(error(get("/reports?after=yesterday"), 400)).contains("not a job cursor");

    List<String> newestFirst = new ArrayList<>();
    page = JSON.readTree(get("/reports?type=inventory-export&order=newest&limit=2").body());
    newestFirst.addAll(ids(page));
    while (!page.get("next").isNull()) {
      String next = page.get("next").asText();
      page =
          JSON.readTree(
              get("/reports?type=inventory-export&order=newest&limit=2&after=" + next).body());
      newestFirst.addAll(ids(page));
    }
    Collections.reverse(newestFirst);
    assertThat(newestFirst).isEqualTo(listed);
    assertThat(page.get("order").asText()).isEqualTo("newest");
    assertThat(error(get("/reports?order=random"), 400)).contains("order", "random");
  }

  @Test
  void unknownAndMalformedIdsAreNotFound() throws Exception {
    String unknown = "/reports/" + UUID.randomUUID();
    assertThat(error(get(unknown), 404)).contains("no job with id");
    assertThat(error(get(unknown + "/result"), 404)).contains("no job with id");
    assertThat(error(send(request(unknown).DELETE().build()), 404)).contains("no job with id");
    assertThat(error(get("/reports/not-a-uuid"), 404)).contains("not-a-uuid");
  }

  /** Runs an export that fails and one that completes; returns the failed one's id. */
  private String oneFailedAndOneCompletedExport() throws Exception {
    String failing =
        submittedId(post("/reports/inventory-export", "{\"warehouse\":\"atlantis\"}", null));
    String passing =
        submittedId(post("/reports/inventory-export", "{\"warehouse\":\"oslo\"}", null));
    awaitState(failing, "FAILED");
    awaitState(passing, "COMPLETED");
    return failing;
  }

  private JsonNode awaitState(String id, String state) {
    return waiting()
        .until(
            () -> JSON.readTree(get("/reports/" + id).body()),
            job -> {
              assertThat(job.get("state").asText())
                  .as("job %s", id)
                  .isIn(state, "REQUESTED", "RUNNING");
              return job.get("state").asText().equals(state);
            });
  }

  private static ConditionFactory waiting() {
    return await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50));
  }

  private static List<String> ids(JsonNode page) {
    List<String> ids = new ArrayList<>();
    page.get("jobs").forEach(job -> ids.add(job.get("id").asText()));
    return ids;
  }

  private int storedJobs() throws Exception {
    return JSON.readTree(get("/reports?limit=1000").body()).get("jobs").size();
  }

  private static String submittedId(HttpResponse<String> response) throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    return JSON.readTree(response.body()).get("id").asText();
  }

  /** Checks that {@code response} is an RFC 9457 problem of {@code status}; returns its detail. */
  static String error(HttpResponse<String> response, int status) throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.get("type").asText()).isEqualTo("about:blank");
    assertThat(body.get("title").asText()).isNotBlank();
    assertThat(body.get("status").asInt()).isEqualTo(status);
    return body.get("detail").asText();
  }

  private HttpResponse<String> post(String path, String json, String idempotencyKey)
      throws Exception {
    HttpRequest.Builder request =
        request(path)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
    if (idempotencyKey != null) {
      request.header("Idempotency-Key", idempotencyKey);
    }
    return send(request.build());
  }

  private HttpResponse<String> get(String path) throws Exception {
    return send(request(path).GET().build());
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10));
  }

  private HttpResponse<String> send(HttpRequest request) throws Exception {
    return client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }
}

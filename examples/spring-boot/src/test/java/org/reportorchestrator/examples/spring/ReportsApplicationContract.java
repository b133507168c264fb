package org.reportorchestrator.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.reportorchestrator.JobState;
import org.reportorchestrator.ReportRequest;
import org.reportorchestrator.micrometer.MicrometerMetrics;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The application end to end over HTTP, on a real database that each subclass names: submit, poll,
 * download, cancel, errors that store nothing, an order and its invoice job committed or rolled
 * back together, Actuator's health and meters.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "report-orchestrator.poll-interval=50ms",
      "report-orchestrator.workers=2",
      "report-orchestrator.shutdown-grace-period=5s"
    })
abstract class ReportsApplicationContract {

  private static final Duration PATIENCE = Duration.ofSeconds(60);

  @Autowired TestRestTemplate http;
  @Autowired JdbcTemplate jdbc;
  @Autowired OrchestratorProperties properties;
  @Autowired TransactionalReports reports;
  @Autowired TransactionTemplate transactions;

  @Test
  void aReportGoesFromSubmitToDownload() {
    ResponseEntity<JobView> submitted = submit("sales-summary", Map.of("month", "2026-02"), "");

    assertThat(submitted.getStatusCode()).isEqualTo(HttpStatus.ACCEPTED);
    URI location = submitted.getHeaders().getLocation();
    assertThat(location).isNotNull();
    assertThat(submitted.getBody().id()).isNotBlank();
    assertThat(location.getPath()).isEqualTo("/reports/" + submitted.getBody().id());

    JobView done = awaitState(location, JobState.COMPLETED);
    assertThat(done.result()).isEqualTo(location.getPath() + "/result");

    ResponseEntity<String> result = http.getForEntity(done.result(), String.class);
    assertThat(result.getStatusCode()).isEqualTo(HttpStatus.OK);
    assertThat(result.getHeaders().getContentType()).hasToString("text/csv");
    assertThat(result.getHeaders().getContentDisposition().getFilename())
        .isEqualTo("sales-2026-02.csv");
    assertThat(result.getBody())
        .startsWith("day,orders,revenue\n2026-02-01,")
        .contains("\n2026-02-28,")
        .doesNotContain("2026-02-29");
  }

  @Test
  void aWaitingReportIsCancelledAndHasNoResult() {
    ResponseEntity<JobView> submitted =
        submit("sales-summary", Map.of("month", "2026-03"), "?delaySeconds=3600");
    assertThat(submitted.getBody().state()).isEqualTo(JobState.REQUESTED);
    URI location = submitted.getHeaders().getLocation();

    ResponseEntity<JobView> cancelled =
        http.exchange(location, HttpMethod.DELETE, HttpEntity.EMPTY, JobView.class);

    assertThat(cancelled.getStatusCode()).isEqualTo(HttpStatus.OK);
    assertThat(cancelled.getBody().state()).isEqualTo(JobState.CANCELLED);
    assertThat(cancelled.getBody().cancelOutcome()).isEqualTo("CANCELLED");
    assertThat(http.getForObject(location, JobView.class).state()).isEqualTo(JobState.CANCELLED);
    ResponseEntity<ProblemDetail> result =
        http.getForEntity(location.getPath() + "/result", ProblemDetail.class);
    assertThat(result.getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
    assertThat(result.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
    assertThat(result.getBody().getDetail()).contains("CANCELLED");
  }

  @Test
  void badRequestsAnswerProblemsNamingWhatWasWrongAndStoreNothing() {
    long jobsBefore = storedJobs();

    ResponseEntity<ProblemDetail> unknownType =
        http.postForEntity("/reports/no-such-report", json(Map.of()), ProblemDetail.class);
    ResponseEntity<ProblemDetail> negativeDelay =
        http.postForEntity(
            "/reports/sales-summary?delaySeconds=-5",
            json(Map.of("month", "2026-01")),
            ProblemDetail.class);
    ResponseEntity<ProblemDetail> blankParameterName =
        http.postForEntity(
            "/reports/sales-summary", json(Map.of(" ", "2026-01")), ProblemDetail.class);
    ResponseEntity<ProblemDetail> missingMonth =
        http.postForEntity("/reports/sales-summary", json(Map.of()), ProblemDetail.class);
    ResponseEntity<ProblemDetail> unknownJob =
        http.getForEntity("/reports/00000000-0000-0000-0000-000000000000", ProblemDetail.class);
    ResponseEntity<ProblemDetail> malformedId =
        http.getForEntity("/reports/not-a-uuid", ProblemDetail.class);

    assertThat(unknownType.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
    assertThat(unknownType.getBody().getDetail()).contains("no-such-report");
    assertThat(negativeDelay.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
    assertThat(negativeDelay.getBody().getDetail()).contains("delaySeconds");
    assertThat(blankParameterName.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
    assertThat(blankParameterName.getHeaders().getContentType())
        .isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
    assertThat(missingMonth.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
    assertThat(missingMonth.getBody().getDetail()).contains("sales-summary", "'month'");
    assertThat(unknownJob.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
    assertThat(malformedId.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
    assertThat(malformedId.getBody().getDetail()).contains("not-a-uuid");
    assertThat(storedJobs()).isEqualTo(jobsBefore);
  }

  @Test
  void actuatorHasTheOrchestratorsHealthAndItsMetersOnceAJobRan() {
    URI location =
        submit("sales-summary", Map.of("month", "2026-04"), "").getHeaders().getLocation();
    awaitState(location, JobState.COMPLETED);

    ResponseEntity<Map<String, Object>> health = getMap("/actuator/health/reportOrchestrator");
    assertThat(health.getStatusCode()).isEqualTo(HttpStatus.OK);
    assertThat(health.getBody()).containsEntry("status", "UP");

    // the transitions counter is written as the job completes, on the worker's thread
    await()
        .atMost(PATIENCE)
        .until(
            () ->
                getMap(
                            "/actuator/metrics/"
                                + MicrometerMetrics.TRANSITIONS
                                + "?tag=report.type:sales-summary&tag=outcome:completed")
                        .getStatusCode()
                    == HttpStatus.OK);
    ResponseEntity<Map<String, Object>> runs =
        getMap(
            "/actuator/metrics/"
                + MicrometerMetrics.RUN_DURATION
                + "?tag=report.type:sales-summary&tag=outcome:success");
    assertThat(runs.getStatusCode()).isEqualTo(HttpStatus.OK);
    assertThat(runs.getBody().get("measurements").toString()).contains("COUNT");
    assertThat(getMap("/actuator/metrics/" + MicrometerMetrics.WORKERS_UTILIZATION).getStatusCode())
        .isEqualTo(HttpStatus.OK);
  }

  @Test
  void anOrderAndItsInvoiceJobAreStoredTogetherAndTheJobSeesTheOrder() {
    long jobsBefore = storedJobs();

    ResponseEntity<Map<String, Object>> placed = placeOrder("A-100", "Ada Lovelace", 12_345);

    assertThat(placed.getStatusCode()).isEqualTo(HttpStatus.CREATED);
    assertThat(storedJobs()).isEqualTo(jobsBefore + 1);
    assertThat(storedOrders("A-100")).isEqualTo(1);
    URI invoice = placed.getHeaders().getLocation();
    assertThat(invoice.getPath()).isEqualTo("/reports/" + placed.getBody().get("invoiceJob"));
    JobView done = awaitState(invoice, JobState.COMPLETED);
    assertThat(http.getForObject(done.result(), String.class))
        .contains("order A-100", "Customer: Ada Lovelace", "Amount: 123.45");
  }

  @Test
  void anOrderThatRollsBackLeavesNoJob() {
    placeOrder("B-200", "Grace Hopper", 500);
    long jobsBefore = storedJobs();

    // the invoice job is written first; the order's key then fails, and the rollback takes both
    ResponseEntity<Map<String, Object>> taken = placeOrder("B-200", "Someone Else", 700);

    assertThat(taken.getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
    assertThat(storedJobs()).isEqualTo(jobsBefore);
    assertThat(storedOrders("B-200")).isEqualTo(1);
  }

  @Test
  void aTransactionalSubmitRolledBackByTheCallerLeavesNoJobAndOneWithoutATransactionIsRefused() {
    long jobsBefore = storedJobs();

    transactions.executeWithoutResult(
        status -> {
          reports.submit(ReportRequest.of("sales-summary", Map.of("month", "2026-05")));
          status.setRollbackOnly();
        });

    assertThat(storedJobs()).isEqualTo(jobsBefore);
    assertThatThrownBy(
            () -> reports.submit(ReportRequest.of("sales-summary", Map.of("month", "2026-05"))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no Spring transaction is active");
    assertThat(storedJobs()).isEqualTo(jobsBefore);
  }

  long storedOrders(String orderNumber) {
    Long count =
        jdbc.queryForObject(
            "SELECT COUNT(*) FROM shop_orders WHERE order_number = ?", Long.class, orderNumber);
    return count == null ? 0 : count;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private ResponseEntity<Map<String, Object>> placeOrder(
      String orderNumber, String customer, long amountCents) {
    HttpHeaders headers = new HttpHeaders();
    headers.setContentType(MediaType.APPLICATION_JSON);
    Map<String, Object> order =
        Map.of("orderNumber", orderNumber, "customer", customer, "amountCents", amountCents);
    return (ResponseEntity)
        http.postForEntity("/orders", new HttpEntity<>(order, headers), Map.class);
  }

  long storedJobs() {
    Long count =
        jdbc.queryForObject(
            "SELECT COUNT(*) FROM " + properties.tablePrefix() + "jobs", Long.class);
    return count == null ? 0 : count;
  }

  ResponseEntity<JobView> submit(String type, Map<String, String> parameters, String query) {
    return http.postForEntity("/reports/" + type + query, json(parameters), JobView.class);
  }

  JobView awaitState(URI location, JobState state) {
    return await()
        .atMost(PATIENCE)
        .until(() -> http.getForObject(location, JobView.class), job -> job.state() == state);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private ResponseEntity<Map<String, Object>> getMap(String path) {
    return (ResponseEntity) http.getForEntity(path, Map.class);
  }

  private static HttpEntity<Map<String, String>> json(Map<String, String> body) {
    HttpHeaders headers = new HttpHeaders();
    headers.setContentType(MediaType.APPLICATION_JSON);
    return new HttpEntity<>(body, headers);
  }
}

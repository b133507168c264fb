package org.reportorchestrator.examples.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.reportorchestrator.ReportOrchestrator;
import org.reportorchestrator.ReportResult;
import org.reportorchestrator.StorageException;
import org.reportorchestrator.spi.JobRepository;

/** The API over a store that fails: the client gets a problem, never the store's own words. */
class StoreFailureTest {

  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void aStoreThatDoesNotAnswerIsServiceUnavailable() throws Exception {
    String detail =
        detailOver(new StorageException("connection refused by db-7 as user reports"), 503);

    assertThat(detail).contains("job store", "try again").doesNotContain("db-7");
  }

  @Test
  void anyOtherFailureIsAnInternalErrorThatKeepsItsMessageInTheLog() throws Exception {
    String detail = detailOver(new IllegalStateException("secret table name"), 500);

    assertThat(detail).contains("log").doesNotContain("secret");
  }

  /** The detail of the problem answered for a job list over a store throwing {@code failure}. */
  private String detailOver(RuntimeException failure, int status) throws Exception {
    JobRepository failing =
        (JobRepository)
            Proxy.newProxyInstance(
                JobRepository.class.getClassLoader(),
                new Class<?>[] {JobRepository.class},
                (proxy, method, args) -> {
                  throw failure;
                });
    // never started: a client only, so nothing but the request touches the store
    ReportType type =
        new ReportType("noop", context -> ReportResult.ofText("", "text/plain"), Map.of());
    try (ReportOrchestrator orchestrator =
        ReportOrchestrator.builder()
            .repository(failing)
            .register(type.name(), type.task())
            .build()) {
      Javalin http =
          ReportServer.http(
              new ReportRoutes(
                  orchestrator,
                  List.of(type),
                  new JsonViews(new ObjectMapper()),
                  new ActivityHistory(2)));
      http.start("127.0.0.1", 0);
      try {
        String base = "http://127.0.0.1:" + http.port();
        String detail = ReportServerTest.error(get(base + "/reports?state=FAILED"), status);
        assertThat(ReportServerTest.error(get(base + "/reports/" + UUID.randomUUID()), status))
            .isEqualTo(detail);
        return detail;
      } finally {
        http.stop();
      }
    }
  }

  private HttpResponse<String> get(String url) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }
}

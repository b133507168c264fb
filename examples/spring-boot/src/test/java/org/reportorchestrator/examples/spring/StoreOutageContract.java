package org.reportorchestrator.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.reportorchestrator.testing.SettableClock;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.test.annotation.DirtiesContext;

/**
 * Actuator's health of the orchestrator when its database goes away: DEGRADED at the first failed
 * store call, DOWN (503) once every call has failed for a heartbeat interval by the orchestrator's
 * clock. Each subclass owns its database server and stops it; a shared server is never touched.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "report-orchestrator.poll-interval=50ms",
      "report-orchestrator.workers=1",
      // heartbeats, and so the outage's bar for DOWN, every third of it: 1 s by the test clock
      "report-orchestrator.lease-duration=3s",
      "report-orchestrator.shutdown-grace-period=0s",
      "spring.datasource.hikari.connection-timeout=500"
    })
@DirtiesContext
@Import(StoreOutageContract.TestClock.class)
abstract class StoreOutageContract {

  private static final String PATH = "/actuator/health/reportOrchestrator";

  @Autowired TestRestTemplate http;
  @Autowired SettableClock clock;

  /** Stops the database the application runs on, for good. */
  abstract void stopDatabase() throws Exception;

  @Test
  void healthGoesDownWhenTheStoreIsUnreachable() throws Exception {
    await().atMost(Duration.ofSeconds(60)).until(() -> status().equals("UP"));

    stopDatabase();

    await().atMost(Duration.ofSeconds(60)).until(() -> !status().equals("UP"));
    clock.advance(Duration.ofSeconds(2));
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> health().getStatusCode() == HttpStatus.SERVICE_UNAVAILABLE);
    ResponseEntity<Map<String, Object>> down = health();
    assertThat(down.getBody()).containsEntry("status", "DOWN");
    @SuppressWarnings("unchecked")
    Map<String, Object> details = (Map<String, Object>) down.getBody().get("details");
    assertThat(details.get("problems").toString()).contains("every store call has failed");
    assertThat(details).containsKey("lastStoreError");
  }

  private String status() {
    return String.valueOf(health().getBody().get("status"));
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private ResponseEntity<Map<String, Object>> health() {
    return (ResponseEntity) http.getForEntity(PATH, Map.class);
  }

  /** The orchestrator's clock, which the test moves past the heartbeat interval. */
  @TestConfiguration(proxyBeanMethods = false)
  static class TestClock {

    @Bean
    SettableClock settableClock() {
      return new SettableClock(Instant.parse("2026-11-30T12:00:00Z"));
    }
  }
}

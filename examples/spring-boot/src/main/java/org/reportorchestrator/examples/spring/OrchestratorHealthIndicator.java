package org.reportorchestrator.examples.spring;

import java.time.Duration;
import java.time.Instant;
import org.reportorchestrator.OrchestratorHealth;
import org.reportorchestrator.ReportOrchestrator;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;

/**
 * The orchestrator's {@link ReportOrchestrator#health() health} as an Actuator component: {@code
 * UP}, {@code DEGRADED} (a status of its own, answered with 200; see {@code application.yml} for
 * its place in the order) or {@code DOWN}, with the reasons and the node's figures as details.
 * Never waits for the store. Thread-safe.
 */
final class OrchestratorHealthIndicator implements HealthIndicator {

  static final Status DEGRADED = new Status("DEGRADED");

  private final ReportOrchestrator orchestrator;

  OrchestratorHealthIndicator(ReportOrchestrator orchestrator) {
    this.orchestrator = orchestrator;
  }

  @Override
  public Health health() {
    OrchestratorHealth health = orchestrator.health();
    Health.Builder builder =
        switch (health.status()) {
          case UP -> Health.up();
          case DEGRADED -> Health.status(DEGRADED);
          case DOWN -> Health.down();
        };
    builder
        .withDetail("problems", health.problems())
        .withDetail("runsJobs", health.runsJobs())
        .withDetail("schedulerAlive", health.schedulerAlive())
        .withDetail("workers", health.workers())
        .withDetail("busyWorkers", health.busyWorkers());
    Duration lag = health.lag();
    if (lag != null) {
      builder.withDetail("lag", lag.toString());
    }
    Instant lastSuccess = health.lastStoreSuccessAt();
    if (lastSuccess != null) {
      builder.withDetail("lastStoreSuccessAt", lastSuccess.toString());
    }
    String lastError = health.lastStoreError();
    if (lastError != null) {
      builder.withDetail("lastStoreError", lastError);
    }
    return builder.build();
  }
}

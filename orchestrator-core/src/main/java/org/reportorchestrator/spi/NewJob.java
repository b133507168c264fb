package org.reportorchestrator.spi;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.reportorchestrator.JobId;

/**
 * A job to insert in state {@code REQUESTED} with attempt 0, as core resolved it from a request.
 *
 * @param id the id core chose
 * @param reportType the report type
 * @param parameters the validated parameters
 * @param idempotencyKey unique among all stored jobs when not {@code null}
 * @param priority higher is claimed first
 * @param runAt the earliest time it may be claimed
 * @param maxAttempts how many attempts it may have
 * @param timeout how long one attempt may run
 * @param createdAt the submit time
 */
public record NewJob(
    JobId id,
    String reportType,
    Map<String, String> parameters,
    @Nullable String idempotencyKey,
    int priority,
    Instant runAt,
    int maxAttempts,
    Duration timeout,
    Instant createdAt) {

  public NewJob {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(reportType, "reportType");
    parameters = Map.copyOf(parameters);
    Objects.requireNonNull(runAt, "runAt");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(createdAt, "createdAt");
  }
}

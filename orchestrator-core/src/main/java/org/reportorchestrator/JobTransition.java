package org.reportorchestrator;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One transition that was written to the store, as told to {@link JobListener}s. Immutable and
 * thread-safe.
 *
 * @param jobId the job
 * @param reportType its report type
 * @param from the state it left; {@code null} when the job was just submitted
 * @param to the state it entered
 * @param at when, by the orchestrator's clock
 * @param attempt the attempt number after the transition
 * @param nodeId the node that wrote the transition
 * @param error the failure behind a retry or a {@code FAILED}, if any
 */
public record JobTransition(
    JobId jobId,
    String reportType,
    @Nullable JobState from,
    JobState to,
    Instant at,
    int attempt,
    String nodeId,
    @Nullable JobError error) {

  public JobTransition {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(reportType, "reportType");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(nodeId, "nodeId");
  }
}

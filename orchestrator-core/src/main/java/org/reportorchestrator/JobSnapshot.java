package org.reportorchestrator;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A job as the store held it when it was read. Immutable and thread-safe; read again for news.
 *
 * @param id the job's id
 * @param reportType the report type it runs
 * @param parameters the parameters it was submitted with
 * @param state its state
 * @param attempt how many attempts have started; 0 before the first
 * @param maxAttempts how many attempts it may have in all
 * @param priority higher runs first
 * @param idempotencyKey the key it was submitted with, if any; {@code schedule:<name>@<fire time>}
 *     for a job a {@link Schedule} made
 * @param timeout how long one attempt may run
 * @param createdAt when it was submitted
 * @param updatedAt when it last changed
 * @param startedAt when its latest attempt started
 * @param finishedAt when it reached a terminal state
 * @param nextRunAt when it is due (for a {@code REQUESTED} job)
 * @param progress what the running task last reported
 * @param lastError the failure of the latest failed attempt
 * @param result the result's description, once {@code COMPLETED}
 * @param ownerNode the node running it, while {@code RUNNING}
 * @param cancellationRequested whether a cancel is waiting for the running task to see it
 */
public record JobSnapshot(
    JobId id,
    String reportType,
    Map<String, String> parameters,
    JobState state,
    int attempt,
    int maxAttempts,
    int priority,
    @Nullable String idempotencyKey,
    Duration timeout,
    Instant createdAt,
    Instant updatedAt,
    @Nullable Instant startedAt,
    @Nullable Instant finishedAt,
    Instant nextRunAt,
    Progress progress,
    @Nullable JobError lastError,
    @Nullable ResultInfo result,
    @Nullable String ownerNode,
    boolean cancellationRequested) {

  public JobSnapshot {
    parameters = Map.copyOf(parameters);
  }

  /** The latest error, for callers that prefer {@code Optional}. */
  public Optional<JobError> error() {
    return Optional.ofNullable(lastError);
  }

  /** How long the latest attempt ran, once the job finished; empty otherwise. */
  public Optional<Duration> runDuration() {
    if (startedAt == null || finishedAt == null) {
      return Optional.empty();
    }
    return Optional.of(Duration.between(startedAt, finishedAt));
  }

  public boolean isTerminal() {
    return state.isTerminal();
  }
}

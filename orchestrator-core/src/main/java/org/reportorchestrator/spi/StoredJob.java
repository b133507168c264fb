package org.reportorchestrator.spi;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.reportorchestrator.JobError;
import org.reportorchestrator.JobId;
import org.reportorchestrator.JobState;
import org.reportorchestrator.Progress;
import org.reportorchestrator.ResultInfo;

/**
 * A job row as the store holds it, including the lease fields core needs for fencing.
 *
 * @param fencingToken raised by every claim; a later write must present the token of its claim
 * @param leaseExpiresAt while {@code RUNNING}: when the owner's lease runs out unless extended
 */
public record StoredJob(
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
    Instant runAt,
    Progress progress,
    @Nullable JobError lastError,
    @Nullable ResultInfo result,
    @Nullable String ownerNode,
    long fencingToken,
    @Nullable Instant leaseExpiresAt,
    boolean cancellationRequested) {

  /**
   * The order in which claims hand out due jobs: the higher priority first, then the earlier due
   * time, then the older job, then the id in the order databases sort UUIDs. Every store claims in
   * this order and returns its claims sorted by it.
   */
  public static final Comparator<StoredJob> CLAIM_ORDER =
      Comparator.comparingInt(StoredJob::priority)
          .reversed()
          .thenComparing(StoredJob::runAt)
          .thenComparing(StoredJob::createdAt)
          .thenComparing(StoredJob::id);

  public StoredJob {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(reportType, "reportType");
    parameters = Map.copyOf(parameters);
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(updatedAt, "updatedAt");
    Objects.requireNonNull(runAt, "runAt");
    Objects.requireNonNull(progress, "progress");
  }

  /** The lease this job's current claim holds. */
  public Lease lease() {
    return new Lease(id, fencingToken);
  }
}

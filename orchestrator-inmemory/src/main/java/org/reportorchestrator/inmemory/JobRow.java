package org.reportorchestrator.inmemory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.reportorchestrator.JobCursor;
import org.reportorchestrator.JobError;
import org.reportorchestrator.JobHistoryEntry;
import org.reportorchestrator.JobId;
import org.reportorchestrator.JobState;
import org.reportorchestrator.Progress;
import org.reportorchestrator.ResultInfo;
import org.reportorchestrator.spi.NewJob;
import org.reportorchestrator.spi.StoredJob;

/**
 * One stored job, mutable. Not thread-safe: only touched under {@link InMemoryJobRepository}'s
 * lock, and never changed in a field an index sorts by while the row sits in that index.
 */
final class JobRow {

  /** The order in which due jobs are claimed. */
  static final Comparator<JobRow> CLAIM_ORDER =
      Comparator.comparingInt((JobRow row) -> row.priority)
          .reversed()
          .thenComparing(row -> row.runAt)
          .thenComparing(row -> row.createdAt)
          .thenComparing(row -> row.id);

  /** Queued jobs by when they fall due. */
  static final Comparator<JobRow> RUN_AT_ORDER =
      Comparator.comparing((JobRow row) -> row.runAt).thenComparing(row -> row.id);

  /** Running jobs by when their lease runs out. */
  static final Comparator<JobRow> LEASE_ORDER =
      Comparator.comparing((JobRow row) -> leaseExpiresAtOf(row)).thenComparing(row -> row.id);

  /** Finished jobs by when they finished. */
  static final Comparator<JobRow> FINISHED_ORDER =
      Comparator.comparing((JobRow row) -> finishedAtOf(row)).thenComparing(row -> row.id);

  final JobId id;
  final String reportType;
  final Map<String, String> parameters;
  final @Nullable String idempotencyKey;
  final int priority;
  final int maxAttempts;
  final Duration timeout;
  final Instant createdAt;

  JobState state = JobState.REQUESTED;
  int attempt;
  Instant updatedAt;
  @Nullable Instant startedAt;
  @Nullable Instant finishedAt;
  Instant runAt;
  Progress progress = Progress.NONE;
  @Nullable JobError lastError;
  @Nullable ResultInfo result;
  byte @Nullable [] content;
  @Nullable String ownerNode;
  long fencingToken;
  @Nullable Instant leaseExpiresAt;
  boolean cancellationRequested;
  final List<JobHistoryEntry> history = new ArrayList<>();

  JobRow(NewJob job) {
    this.id = job.id();
    this.reportType = job.reportType();
    this.parameters = job.parameters();
    this.idempotencyKey = job.idempotencyKey();
    this.priority = job.priority();
    this.maxAttempts = job.maxAttempts();
    this.timeout = job.timeout();
    this.createdAt = job.createdAt();
    this.runAt = job.runAt();
    this.updatedAt = job.createdAt();
    history.add(new JobHistoryEntry(null, JobState.REQUESTED, createdAt, 0, null, null, null));
  }

  /**
   * Appends the entry of the transition from {@code from} that was just made: to the row's state
   * now, at its attempt now.
   */
  void recordTransition(
      JobState from, Instant at, @Nullable String node, @Nullable JobError error) {
    history.add(
        new JobHistoryEntry(
            from,
            state,
            at,
            attempt,
            node,
            error == null ? null : error.type(),
            error == null ? null : JobHistoryEntry.shortened(error.message())));
  }

  /** Its place in query order, which never changes. */
  JobCursor cursor() {
    return new JobCursor(createdAt, id);
  }

  StoredJob snapshot() {
    return new StoredJob(
        id,
        reportType,
        parameters,
        state,
        attempt,
        maxAttempts,
        priority,
        idempotencyKey,
        timeout,
        createdAt,
        updatedAt,
        startedAt,
        finishedAt,
        runAt,
        progress,
        lastError,
        result,
        ownerNode,
        fencingToken,
        leaseExpiresAt,
        cancellationRequested);
  }

  /** The lease expiry of a row in the leased index, which always has one. */
  static Instant leaseExpiresAtOf(JobRow row) {
    if (row.leaseExpiresAt == null) {
      throw new IllegalStateException("job " + row.id + " has no lease");
    }
    return row.leaseExpiresAt;
  }

  /** The finish time of a row in the finished index, which always has one. */
  static Instant finishedAtOf(JobRow row) {
    if (row.finishedAt == null) {
      throw new IllegalStateException("job " + row.id + " has not finished");
    }
    return row.finishedAt;
  }
}

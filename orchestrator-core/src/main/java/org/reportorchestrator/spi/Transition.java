package org.reportorchestrator.spi;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.reportorchestrator.JobError;
import org.reportorchestrator.JobId;
import org.reportorchestrator.JobState;
import org.reportorchestrator.ReportResult;

/**
 * A fenced move of a job out of {@code RUNNING}, decided by core: one of five kinds, each a record
 * that carries exactly what it needs. A store applies it only if the job is still {@code RUNNING}
 * with fencing token {@link #lease()}'s and, when {@link #leaseExpiredBefore()} is set (a rescue),
 * only if the job's lease expires before that instant, so that a rescue never overtakes a heartbeat
 * that renewed the lease meanwhile; otherwise it changes nothing. Applying any of them sets the
 * state to {@link #to()} and {@code updatedAt = at}, clears the owner and the lease, and clears the
 * cancellation flag on a move to a terminal state but keeps it on a move to {@code REQUESTED} (so
 * that a cancel that raced with a retry is seen by the next claim). Immutable and thread-safe.
 */
public sealed interface Transition
    permits Transition.Completed,
        Transition.Failed,
        Transition.Cancelled,
        Transition.Retried,
        Transition.Released {

  /** The claim this transition ends. */
  Lease lease();

  /** When it happened; stored as {@code updatedAt} (and {@code finishedAt} if terminal). */
  Instant at();

  /** The state the job moves to. */
  JobState to();

  /** The error stored as the job's last error; {@code null} for a completion or a release. */
  @Nullable JobError error();

  /** Set on a rescue: the transition applies only while the lease expires before this instant. */
  default @Nullable Instant leaseExpiredBefore() {
    return null;
  }

  default JobId jobId() {
    return lease().jobId();
  }

  /** {@code COMPLETED}: {@code finishedAt = at}, stores the result, progress 100 %. */
  record Completed(Lease lease, Instant at, ReportResult result) implements Transition {
    public Completed {
      Objects.requireNonNull(lease, "lease");
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(result, "result");
    }

    @Override
    public JobState to() {
      return JobState.COMPLETED;
    }

    @Override
    public @Nullable JobError error() {
      return null;
    }
  }

  /** {@code FAILED}: {@code finishedAt = at}, stores the error. */
  record Failed(Lease lease, Instant at, JobError error, @Nullable Instant leaseExpiredBefore)
      implements Transition {
    public Failed {
      Objects.requireNonNull(lease, "lease");
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(error, "error");
    }

    @Override
    public JobState to() {
      return JobState.FAILED;
    }

    /** The same failure, applied only while the lease expires before {@code instant}: a rescue. */
    public Failed ifLeaseExpiredBefore(Instant instant) {
      return new Failed(lease, at, error, Objects.requireNonNull(instant, "instant"));
    }
  }

  /** {@code CANCELLED}: {@code finishedAt = at}, stores the error if there is one. */
  record Cancelled(Lease lease, Instant at, @Nullable JobError error) implements Transition {
    public Cancelled {
      Objects.requireNonNull(lease, "lease");
      Objects.requireNonNull(at, "at");
    }

    @Override
    public JobState to() {
      return JobState.CANCELLED;
    }
  }

  /** Back to {@code REQUESTED} after a failed attempt: due again at {@code nextRunAt}. */
  record Retried(
      Lease lease,
      Instant at,
      Instant nextRunAt,
      JobError error,
      @Nullable Instant leaseExpiredBefore)
      implements Transition {
    public Retried {
      Objects.requireNonNull(lease, "lease");
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(nextRunAt, "nextRunAt");
      Objects.requireNonNull(error, "error");
    }

    @Override
    public JobState to() {
      return JobState.REQUESTED;
    }

    /** The same retry, applied only while the lease expires before {@code instant}: a rescue. */
    public Retried ifLeaseExpiredBefore(Instant instant) {
      return new Retried(lease, at, nextRunAt, error, Objects.requireNonNull(instant, "instant"));
    }
  }

  /**
   * Back to {@code REQUESTED}, due at once, with the attempt refunded ({@code attempt} lowered by
   * one): a release on shutdown, which the job did not cause. The last error stays as it was.
   */
  record Released(Lease lease, Instant at) implements Transition {
    public Released {
      Objects.requireNonNull(lease, "lease");
      Objects.requireNonNull(at, "at");
    }

    @Override
    public JobState to() {
      return JobState.REQUESTED;
    }

    @Override
    public @Nullable JobError error() {
      return null;
    }
  }

  static Completed completed(Lease lease, Instant at, ReportResult result) {
    return new Completed(lease, at, result);
  }

  static Failed failed(Lease lease, Instant at, JobError error) {
    return new Failed(lease, at, error, null);
  }

  static Cancelled cancelled(Lease lease, Instant at, @Nullable JobError error) {
    return new Cancelled(lease, at, error);
  }

  static Retried retry(Lease lease, Instant at, Instant nextRunAt, JobError error) {
    return new Retried(lease, at, nextRunAt, error, null);
  }

  static Released released(Lease lease, Instant at) {
    return new Released(lease, at);
  }
}

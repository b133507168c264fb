package org.reportorchestrator.spi;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.reportorchestrator.JobError;
import org.reportorchestrator.JobId;
import org.reportorchestrator.JobState;
import org.reportorchestrator.ReportResult;

/**
 * A fenced move of a job out of {@code RUNNING}, decided by core. A store applies it only if the
 * job is still {@code RUNNING} with fencing token {@link #lease()}'s and, when {@link
 * #leaseExpiredBefore()} is set, only if the job's lease expires before that instant (a rescue must
 * not overtake a heartbeat that renewed the lease meanwhile); otherwise it changes nothing.
 * Applying it sets the state to {@link #to()}, {@code updatedAt = at}, clears the owner and the
 * lease, clears the cancellation flag on a move to a terminal state but keeps it on a move to
 * {@code REQUESTED} (so that a cancel that raced with a retry is seen by the next claim), and:
 *
 * <ul>
 *   <li>{@code COMPLETED}: {@code finishedAt = at}, stores {@link #result()}, progress 100 %;
 *   <li>{@code FAILED}, {@code CANCELLED}: {@code finishedAt = at}, stores {@link #error()};
 *   <li>{@code REQUESTED}: {@code runAt = nextRunAt}, stores {@link #error()}, and lowers {@code
 *       attempt} by one if {@link #refundAttempt()} (a release on shutdown, which the job did not
 *       cause).
 * </ul>
 */
public record Transition(
    Lease lease,
    JobState to,
    Instant at,
    @Nullable Instant nextRunAt,
    @Nullable JobError error,
    @Nullable ReportResult result,
    boolean refundAttempt,
    @Nullable Instant leaseExpiredBefore) {

  public Transition {
    Objects.requireNonNull(lease, "lease");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(at, "at");
    if (!JobState.RUNNING.canTransitionTo(to)) {
      throw new IllegalArgumentException("RUNNING cannot move to " + to);
    }
    if ((to == JobState.REQUESTED) != (nextRunAt != null)) {
      throw new IllegalArgumentException("nextRunAt is set exactly when moving to REQUESTED");
    }
    if ((to == JobState.COMPLETED) != (result != null)) {
      throw new IllegalArgumentException("result is set exactly when moving to COMPLETED");
    }
    if (leaseExpiredBefore != null && result != null) {
      throw new IllegalArgumentException("a rescue cannot complete a job");
    }
    if (refundAttempt && to != JobState.REQUESTED) {
      throw new IllegalArgumentException("only a move to REQUESTED can refund the attempt");
    }
  }

  public static Transition completed(Lease lease, Instant at, ReportResult result) {
    return new Transition(lease, JobState.COMPLETED, at, null, null, result, false, null);
  }

  public static Transition failed(Lease lease, Instant at, JobError error) {
    return new Transition(lease, JobState.FAILED, at, null, error, null, false, null);
  }

  public static Transition cancelled(Lease lease, Instant at, @Nullable JobError error) {
    return new Transition(lease, JobState.CANCELLED, at, null, error, null, false, null);
  }

  /** Back to {@code REQUESTED} after a failed attempt, due again at {@code nextRunAt}. */
  public static Transition retry(Lease lease, Instant at, Instant nextRunAt, JobError error) {
    return new Transition(lease, JobState.REQUESTED, at, nextRunAt, error, null, false, null);
  }

  /** Back to {@code REQUESTED} at once without charging the attempt: a release on shutdown. */
  public static Transition released(Lease lease, Instant at) {
    return new Transition(lease, JobState.REQUESTED, at, at, null, null, true, null);
  }

  /**
   * The same transition, applied only while the job's lease expires before {@code instant}: how a
   * rescuer ends the attempt of a node that stopped heartbeating.
   */
  public Transition ifLeaseExpiredBefore(Instant instant) {
    return new Transition(lease, to, at, nextRunAt, error, result, refundAttempt, instant);
  }

  public JobId jobId() {
    return lease.jobId();
  }
}

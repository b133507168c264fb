package org.reportorchestrator.internal;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.reportorchestrator.JobId;
import org.reportorchestrator.spi.Lease;
import org.reportorchestrator.spi.StoredJob;

/**
 * One attempt of one job on this node. Several parties may try to end it (the task returning, the
 * timeout watchdog, a lost lease, shutdown); {@link #settle()} lets exactly one of them write the
 * outcome.
 */
final class Execution {

  private final StoredJob job;
  private volatile @Nullable Instant deadline;
  private final AtomicBoolean settled = new AtomicBoolean();
  private final AtomicBoolean cancellationRequested = new AtomicBoolean();
  private volatile boolean abandoned;
  private @Nullable Thread thread;

  Execution(StoredJob job) {
    this.job = job;
  }

  StoredJob job() {
    return job;
  }

  JobId jobId() {
    return job.id();
  }

  Lease lease() {
    return job.lease();
  }

  /**
   * The timeout counts from the moment a worker starts the task, not from the claim: a job claimed
   * ahead may wait in this node's queue for a moment first.
   */
  void start(Instant now) {
    deadline = now.plus(job.timeout());
  }

  /** When the task runs out of time; {@code null} until a worker starts it. */
  @Nullable Instant deadline() {
    return deadline;
  }

  /** Claims the right to record this attempt's outcome; {@code true} for the first caller only. */
  boolean settle() {
    return settled.compareAndSet(false, true);
  }

  /**
   * Gives the attempt up without recording anything, because another claim now owns the job: the
   * task is told to stop and whatever it returns is discarded.
   *
   * @return {@code false} if the attempt had already ended another way
   */
  boolean abandon() {
    if (settle()) {
      abandoned = true;
      requestCancellation();
      return true;
    }
    return false;
  }

  /** Whether {@link #abandon()} ended it: another claim owns the job, no outcome is written. */
  boolean isAbandoned() {
    return abandoned;
  }

  boolean isSettled() {
    return settled.get();
  }

  /** The worker binds itself while the task runs, and unbinds before it takes other work. */
  synchronized void bindThread(@Nullable Thread worker) {
    this.thread = worker;
  }

  /**
   * Tells the task to stop: it sees the flag in its context, and a blocking call is interrupted.
   */
  void requestCancellation() {
    cancellationRequested.set(true);
    interrupt();
  }

  boolean isCancellationRequested() {
    return cancellationRequested.get();
  }

  /** Interrupts the task's thread, but only while it still runs this attempt. */
  synchronized void interrupt() {
    Thread worker = thread;
    if (worker != null) {
      worker.interrupt();
    }
  }
}

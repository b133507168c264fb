package org.reportorchestrator.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.reportorchestrator.spi.JobRepository;
import org.reportorchestrator.spi.StoredJob;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The maintenance thread: rescues jobs whose owners stopped renewing their leases, and purges old
 * finished jobs when a retention period is set. It runs apart from the claim loop, so that neither
 * a long purge nor a long rescue pass delays a claim, and each step reads the clock just before its
 * own store call.
 *
 * <p>After this node could not reach the store, it rescues nothing until the store has answered for
 * two heartbeat intervals: every owner had its leases run out during the same outage, and gets the
 * first chance to renew them before anyone takes its jobs.
 */
final class Maintenance {

  private static final Logger LOG = LoggerFactory.getLogger(Maintenance.class);
  static final int RESCUE_BATCH = 100;
  static final int PURGE_BATCH = 500;
  private static final Duration PURGE_INTERVAL = Duration.ofHours(1);

  private final Settings settings;
  private final WorkerPool pool;
  private final TransitionWriter writer;
  private final AttemptRecorder recorder;
  private final OutageLog outage;
  private final StoreHealth health;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition stopRequested = lock.newCondition();
  private final Thread thread;
  private volatile boolean running = true;
  private @Nullable Instant nextPurge;
  private @Nullable Instant nextRescue;

  Maintenance(
      Settings settings,
      WorkerPool pool,
      TransitionWriter writer,
      AttemptRecorder recorder,
      StoreHealth health,
      ThreadFactory threads) {
    this.settings = settings;
    this.health = health;
    this.outage = new OutageLog(LOG, "looking for expired leases", health);
    this.pool = pool;
    this.writer = writer;
    this.recorder = recorder;
    this.thread = threads.newThread(this::loop);
  }

  void start() {
    thread.start();
  }

  /** Stops; waits at most {@code timeout} for a store call under way. */
  void stop(Duration timeout) throws InterruptedException {
    running = false;
    lock.lock();
    try {
      stopRequested.signalAll();
    } finally {
      lock.unlock();
    }
    thread.join(Math.max(1, timeout.toMillis()));
  }

  private void loop() {
    while (running) {
      try {
        Instant now = settings.clock().instant();
        if (nextRescue == null || !now.isBefore(nextRescue)) {
          nextRescue = now.plus(settings.heartbeatInterval());
          rescueExpiredLeases();
        }
        purgeIfDue();
      } catch (RuntimeException | Error e) {
        LOG.error("maintenance pass failed; going on at the next one", e);
      }
      lock.lock();
      try {
        if (running) {
          // Wake often enough to notice a clock that a test moves on; the clock decides what is
          // due.
          stopRequested.await(wakeInterval().toMillis(), TimeUnit.MILLISECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } finally {
        lock.unlock();
      }
    }
  }

  private Duration wakeInterval() {
    Duration poll = settings.pollInterval();
    Duration heartbeat = settings.heartbeatInterval();
    return poll.compareTo(heartbeat) < 0 ? poll : heartbeat;
  }

  /** Ends the attempts of jobs whose owners stopped renewing their leases. */
  private void rescueExpiredLeases() {
    Instant now = settings.clock().instant();
    List<StoredJob> expired;
    try {
      expired = settings.repository().findExpiredLeases(now, RESCUE_BATCH);
      outage.succeeded();
    } catch (RuntimeException e) {
      outage.failed(e);
      return;
    }
    if (!health.settledForRescues()) {
      return;
    }
    for (StoredJob job : expired) {
      // Ours and still held (running, or its outcome on its way to the store): the heartbeat was
      // late, not the node dead. A rescue already queued for this lease needs no second one.
      if (pool.holds(job.lease()) || writer.isPending(job.lease())) {
        continue;
      }
      recorder.rescued(job);
    }
  }

  /**
   * Deletes terminal jobs that finished before {@code cutoff}, a batch of {@value #PURGE_BATCH} at
   * a time, while {@code goOn} says so.
   *
   * @return how many were deleted
   */
  static int purgeFinished(JobRepository repository, Instant cutoff, BooleanSupplier goOn) {
    int purged = 0;
    int deleted;
    do {
      deleted = repository.purgeFinished(cutoff, PURGE_BATCH);
      purged += deleted;
    } while (deleted == PURGE_BATCH && goOn.getAsBoolean());
    return purged;
  }

  /** With a retention period set, deletes what finished before it, once an hour. */
  private void purgeIfDue() {
    Duration retention = settings.retention();
    Instant now = settings.clock().instant();
    if (retention == null || (nextPurge != null && now.isBefore(nextPurge))) {
      return;
    }
    nextPurge = now.plus(PURGE_INTERVAL);
    int purged = purgeFinished(settings.repository(), now.minus(retention), () -> running);
    if (purged > 0) {
      LOG.info("purged {} jobs finished more than {} ago", purged, retention);
    }
  }
}

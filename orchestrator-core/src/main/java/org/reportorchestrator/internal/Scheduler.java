package org.reportorchestrator.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntFunction;
import org.jspecify.annotations.Nullable;
import org.reportorchestrator.JobState;
import org.reportorchestrator.JobTransition;
import org.reportorchestrator.spi.ClaimRequest;
import org.reportorchestrator.spi.StoredJob;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that finds work: claims due jobs for free worker slots, and rescues jobs whose
 * owners stopped renewing their leases. Polls at the configured interval, and at once when this
 * node submits a job or a worker frees a slot.
 */
final class Scheduler {

  private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);
  private static final int RESCUE_BATCH = 100;
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
  private static final Duration PURGE_INTERVAL = Duration.ofHours(1);

  private final Settings settings;
  private final WorkerPool pool;
  private final AttemptRecorder recorder;
  private final TransitionListeners listeners;
  private final Semaphore wakeUps = new Semaphore(0);
  private final OutageLog outage = new OutageLog(LOG, "polling the job store");
  private final Thread thread;
  private volatile boolean running = true;
  private @Nullable Instant nextRescue;
  private @Nullable Instant nextPurge;
  private final ToIntFunction<Instant> purger;

  Scheduler(
      Settings settings,
      WorkerPool pool,
      AttemptRecorder recorder,
      TransitionListeners listeners,
      ToIntFunction<Instant> purger,
      ThreadFactory threads) {
    this.settings = settings;
    this.purger = purger;
    this.pool = pool;
    this.recorder = recorder;
    this.listeners = listeners;
    this.thread = threads.newThread(this::loop);
  }

  void start() {
    thread.start();
  }

  void wakeUp() {
    wakeUps.release();
  }

  void stop() throws InterruptedException {
    running = false;
    wakeUp();
    thread.join();
  }

  private void loop() {
    while (running) {
      Duration pause;
      try {
        boolean mayHaveMore = pollOnce();
        outage.succeeded();
        pause = mayHaveMore ? Duration.ZERO : settings.pollInterval();
      } catch (RuntimeException e) {
        int failures = outage.failed(e);
        pause = backoff(failures);
      } catch (Error e) {
        LOG.error("scheduler hit an error; going on after a pause", e);
        pause = MAX_BACKOFF;
      }
      if (!pause.isZero()) {
        try {
          wakeUps.tryAcquire(pause.toMillis(), TimeUnit.MILLISECONDS);
          wakeUps.drainPermits();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /**
   * @return whether a full batch was claimed, so more due jobs may be waiting
   */
  boolean pollOnce() {
    Instant now = settings.clock().instant();
    rescueExpiredLeases(now);
    purgeIfDue(now);
    int free = pool.freeSlots();
    if (free <= 0 || !running) {
      return false;
    }
    List<StoredJob> claimed = claim(now, free);
    claimed.forEach(pool::run);
    return claimed.size() == free;
  }

  /** Claims up to {@code limit} due jobs and tells the listeners; the caller runs them. */
  List<StoredJob> claim(Instant now, int limit) {
    List<StoredJob> claimed =
        settings
            .repository()
            .claim(
                new ClaimRequest(
                    settings.nodeId(),
                    settings.tasks().keySet(),
                    limit,
                    now,
                    now.plus(settings.leaseDuration())));
    for (StoredJob job : claimed) {
      listeners.fire(
          new JobTransition(
              job.id(),
              job.reportType(),
              JobState.REQUESTED,
              JobState.RUNNING,
              now,
              job.attempt(),
              settings.nodeId(),
              null));
    }
    return claimed;
  }

  private void rescueExpiredLeases(Instant now) {
    if (nextRescue != null && now.isBefore(nextRescue)) {
      return;
    }
    nextRescue = now.plus(settings.heartbeatInterval());
    for (StoredJob job : settings.repository().findExpiredLeases(now, RESCUE_BATCH)) {
      Execution local = pool.execution(job.id());
      if (settings.nodeId().equals(job.ownerNode())
          && local != null
          && !local.isSettled()
          && local.lease().equals(job.lease())) {
        // Still ours and alive: the heartbeat was late (a paused JVM, say), not the node dead.
        continue;
      }
      LOG.warn(
          "rescuing job {}: the lease of node {} expired at {}",
          job.id(),
          job.ownerNode(),
          job.leaseExpiresAt());
      recorder.rescued(job);
    }
  }

  /** With a retention period set, deletes what finished before it, once an hour. */
  private void purgeIfDue(Instant now) {
    Duration retention = settings.retention();
    if (retention == null || (nextPurge != null && now.isBefore(nextPurge))) {
      return;
    }
    nextPurge = now.plus(PURGE_INTERVAL);
    int purged = purger.applyAsInt(now.minus(retention));
    if (purged > 0) {
      LOG.info("purged {} jobs finished more than {} ago", purged, retention);
    }
  }

  private Duration backoff(int failures) {
    long factor = 1L << Math.min(failures - 1, 10);
    Duration wait = settings.pollInterval().multipliedBy(factor);
    return wait.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : wait;
  }
}

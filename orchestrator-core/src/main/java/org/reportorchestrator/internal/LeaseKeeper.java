package org.reportorchestrator.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.reportorchestrator.JobId;
import org.reportorchestrator.spi.HeartbeatResult;
import org.reportorchestrator.spi.Lease;
import org.reportorchestrator.spi.LeaseExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this node's claims alive: renews, in one call per heartbeat, the leases of attempts that
 * run and of attempts whose outcome is still being written; stops attempts whose job was taken
 * over; passes cancellations on to their tasks; and ends attempts that ran past their deadline.
 */
final class LeaseKeeper {

  private static final Logger LOG = LoggerFactory.getLogger(LeaseKeeper.class);

  /** After a failed heartbeat, how soon to try again: leases may be running out. */
  private static final Duration RETRY_AFTER_FAILURE = Duration.ofMillis(200);

  private final Settings settings;
  private final WorkerPool pool;
  private final OutageLog outage;
  private @Nullable Instant nextHeartbeat;

  /** Set by {@link #heartbeatSoon()}: the next tick renews leases whenever the last renewal was. */
  private volatile boolean heartbeatWanted;

  LeaseKeeper(Settings settings, WorkerPool pool, StoreHealth health) {
    this.settings = settings;
    this.outage = new OutageLog(LOG, "renewing leases", health);
    this.pool = pool;
  }

  /** Runs on the timer thread at every tick. */
  void tick() {
    Instant now = settings.clock().instant();
    pool.enforceDeadlines(now);
    if (heartbeatWanted || nextHeartbeat == null || !now.isBefore(nextHeartbeat)) {
      heartbeatWanted = false;
      Duration interval = settings.heartbeatInterval();
      boolean renewed = heartbeat(now);
      nextHeartbeat =
          now.plus(
              renewed || interval.compareTo(RETRY_AFTER_FAILURE) < 0
                  ? interval
                  : RETRY_AFTER_FAILURE);
    }
  }

  /**
   * Makes the next tick renew leases, and so learn of cancellations, without waiting for the
   * heartbeat interval: for when cancellations may have been missed. Any thread.
   */
  void heartbeatSoon() {
    heartbeatWanted = true;
  }

  /**
   * Passes a cancellation that the store flagged for job {@code id} to its attempt here, if one
   * runs and has not been told yet; as a heartbeat does when it reads the flag. Any thread.
   */
  void cancellationRequested(JobId id) {
    Execution execution = pool.execution(id);
    if (execution != null) {
      passOnCancellation(execution);
    }
  }

  private void passOnCancellation(Execution execution) {
    if (execution.isSettled() || execution.isCancellationRequested()) {
      return;
    }
    try (JobMdc mdc = JobMdc.of(execution.job())) {
      LOG.info(
          "job {} ({}) was cancelled during attempt {}; telling its task",
          execution.jobId(),
          execution.job().reportType(),
          execution.job().attempt());
      execution.requestCancellation();
    }
  }

  /**
   * @return {@code false} if the store could not be reached
   */
  private boolean heartbeat(Instant now) {
    List<Execution> held = pool.heldExecutions();
    if (held.isEmpty()) {
      return true;
    }
    List<Lease> leases = new ArrayList<>(held.size());
    held.forEach(execution -> leases.add(execution.lease()));
    // In the order the writer locks rows too, so the two never deadlock.
    leases.sort(Comparator.comparing(Lease::jobId));
    HeartbeatResult result;
    try {
      // Read the clock again: the list above may have taken a while on a busy node.
      Instant at = settings.clock().instant();
      result =
          settings
              .repository()
              .extendLeases(
                  new LeaseExtension(
                      settings.nodeId(), leases, at, at.plus(settings.leaseDuration())));
      outage.succeeded();
    } catch (RuntimeException e) {
      outage.failed(e);
      return false;
    }
    for (Execution execution : held) {
      JobId id = execution.jobId();
      if (result.lost().contains(id)) {
        // An attempt whose outcome is being written loses its lease to that very write; the
        // writer settles those. A running one lost its job to another claim.
        if (execution.abandon()) {
          pool.forget(execution);
          try (JobMdc mdc = JobMdc.of(execution.job())) {
            LOG.warn(
                "job {} ({}) attempt {} lost its lease to another claim (was node {} paused or"
                    + " cut off from the store for longer than the lease of {}?); stopping its"
                    + " task and discarding its outcome",
                id,
                execution.job().reportType(),
                execution.job().attempt(),
                settings.nodeId(),
                settings.leaseDuration());
          }
        }
      } else if (result.cancellationRequested().contains(id)) {
        passOnCancellation(execution);
      }
    }
    return true;
  }
}

package org.reportorchestrator.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.reportorchestrator.JobId;
import org.reportorchestrator.spi.HeartbeatResult;
import org.reportorchestrator.spi.Lease;
import org.reportorchestrator.spi.LeaseExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this node's claims alive: renews the leases of running attempts in one call per heartbeat,
 * stops attempts whose job was taken over, passes cancellations on to their tasks, and ends
 * attempts that ran past their deadline.
 */
final class LeaseKeeper {

  private static final Logger LOG = LoggerFactory.getLogger(LeaseKeeper.class);

  private final Settings settings;
  private final WorkerPool pool;
  private final OutageLog outage = new OutageLog(LOG, "renewing leases");
  private @Nullable Instant nextHeartbeat;

  LeaseKeeper(Settings settings, WorkerPool pool) {
    this.settings = settings;
    this.pool = pool;
  }

  /** Runs on the timer thread at every tick. */
  void tick() {
    Instant now = settings.clock().instant();
    pool.enforceDeadlines(now);
    if (nextHeartbeat == null || !now.isBefore(nextHeartbeat)) {
      nextHeartbeat = now.plus(settings.heartbeatInterval());
      heartbeat(now);
    }
  }

  private void heartbeat(Instant now) {
    List<Execution> active = pool.activeExecutions();
    if (active.isEmpty()) {
      return;
    }
    List<Lease> leases = new ArrayList<>(active.size());
    active.forEach(execution -> leases.add(execution.lease()));
    HeartbeatResult result;
    try {
      result =
          settings
              .repository()
              .extendLeases(
                  new LeaseExtension(
                      settings.nodeId(), leases, now, now.plus(settings.leaseDuration())));
      outage.succeeded();
    } catch (RuntimeException e) {
      outage.failed(e);
      return;
    }
    for (Execution execution : active) {
      JobId id = execution.jobId();
      if (result.lost().contains(id)) {
        // Usually the attempt just finished and its own write ended the lease; abandon() says so.
        if (execution.abandon()) {
          LOG.warn("lost the lease of job {} to another claim; stopping its task", id);
        }
      } else if (result.cancellationRequested().contains(id)
          && !execution.isCancellationRequested()) {
        LOG.info("job {} was cancelled; telling its task", id);
        execution.requestCancellation();
      }
    }
  }
}

package org.reportorchestrator.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.reportorchestrator.JobId;
import org.reportorchestrator.spi.ClaimRequest;
import org.reportorchestrator.spi.NewJob;
import org.reportorchestrator.spi.StoredJob;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parts of a node that run jobs: the writer of outcomes, the worker pool, the scheduler that
 * claims, the maintenance thread that rescues and purges, the lease keeper, and the reader of the
 * store's event feed. Made only when a node starts (or runs due jobs inline in a test), so a node
 * that only submits has none of them.
 */
final class NodeRuntime {

  private static final Logger LOG = LoggerFactory.getLogger(NodeRuntime.class);

  /** How long stop() waits for a claim or rescue under way before it goes on without it. */
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

  /** The longest stop() tries to write outcomes after the grace period. */
  private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(30);

  private final Settings settings;
  private final TransitionWriter writer;
  private final WorkerPool pool;
  private final Scheduler scheduler;
  private final Maintenance maintenance;
  private final LeaseKeeper leaseKeeper;
  private final @Nullable ScheduleFirer firer;
  private final EventFeedReader events;

  NodeRuntime(
      Settings settings,
      TransitionListeners listeners,
      JobWaiters waiters,
      StoreHealth health,
      @Nullable ScheduleFirer firer) {
    this.settings = settings;
    this.writer =
        new TransitionWriter(
            settings.repository(),
            health,
            NamedThreads.single("orchestrator-writer", settings.threadFactory()));
    AttemptRecorder recorder = new AttemptRecorder(settings, writer, listeners, waiters);
    this.pool =
        new WorkerPool(
            settings,
            recorder,
            NamedThreads.numbered("orchestrator-worker", settings.threadFactory()),
            this::slotFreed);
    this.scheduler =
        new Scheduler(
            settings,
            pool,
            listeners,
            health,
            firer,
            NamedThreads.single("orchestrator-scheduler", settings.threadFactory()));
    this.maintenance =
        new Maintenance(
            settings,
            pool,
            writer,
            recorder,
            health,
            NamedThreads.single("orchestrator-maintenance", settings.threadFactory()));
    this.leaseKeeper = new LeaseKeeper(settings, pool, health);
    this.firer = firer;
    this.events =
        new EventFeedReader(
            settings,
            new EventFeedReader.Reactions() {
              @Override
              public void jobsMayBeDue() {
                scheduler.wakeUp();
              }

              @Override
              public void cancellationRequested(JobId id) {
                leaseKeeper.cancellationRequested(id);
              }

              @Override
              public void caughtUp() {
                scheduler.wakeUp();
                leaseKeeper.heartbeatSoon();
              }
            },
            NamedThreads.single("orchestrator-events", settings.threadFactory()));
  }

  /** Starts claiming and running jobs. */
  void start() {
    writer.start();
    scheduler.start();
    maintenance.start();
    events.start();
  }

  /** Runs claimed jobs in the caller's thread instead: only the writer runs on its own. */
  void startInline() {
    writer.start();
  }

  /** Fires the schedules due now in the calling thread; how many jobs that made. */
  int fireDueSchedulesInline() {
    return firer == null ? 0 : firer.fireDue();
  }

  /** Claims one due job and runs it in the calling thread; {@code false} if none was due. */
  boolean runOneInline() {
    List<StoredJob> claimed = scheduler.claim(settings.clock().instant(), 1);
    if (claimed.isEmpty()) {
      return false;
    }
    pool.runInline(claimed.get(0));
    return true;
  }

  /** Renews leases and enforces deadlines; on the timer thread. */
  void tick() {
    leaseKeeper.tick();
  }

  void wakeUp() {
    scheduler.wakeUp();
  }

  /**
   * Reserves a worker for {@code job}, submitted on this running node, if it may be claimed as it
   * is stored and started here at once ({@link
   * org.reportorchestrator.spi.JobRepository#insertAndClaim}): this node runs the type and no
   * running limit applies to it, the job is due now and has no idempotency key (a submit that finds
   * its key taken starts nothing), and a worker is free. On {@code true}, the caller must end with
   * {@link #startReserved} or {@link #cancelReservation}.
   */
  boolean reserveWorkerFor(NewJob job, Instant now) {
    return job.idempotencyKey() == null
        && !job.runAt().isAfter(now)
        && settings.tasks().containsKey(job.reportType())
        && !settings.runningLimits().containsKey(job.reportType())
        && pool.reserveIdleWorker();
  }

  /** What {@link org.reportorchestrator.spi.JobRepository#insertAndClaim} claims at {@code now}. */
  ClaimRequest claimOnInsert(Instant now) {
    return new ClaimRequest(
        settings.nodeId(),
        settings.tasks().keySet(),
        1,
        now,
        now.plus(settings.leaseDuration()),
        settings.runningLimits());
  }

  /** The job of a reserved worker was stored queued, or not at all. */
  void cancelReservation() {
    pool.cancelReservation();
  }

  /**
   * Runs a job this node claimed as it stored it on the worker reserved for it, as the scheduler
   * runs the jobs it claims: the listeners hear of the claim first; a pool that began to stop gives
   * the job back instead.
   */
  void startReserved(StoredJob job, Instant claimedAt) {
    try {
      scheduler.announceClaimed(job, claimedAt);
    } finally {
      handOver(job);
    }
  }

  private void handOver(StoredJob job) {
    try {
      pool.runReserved(job);
    } catch (RuntimeException rejected) {
      // the pool stopped meanwhile and gave the job back; the submit itself succeeded
      LOG.debug("job {} claimed on submit was given back: the node is stopping", job.id());
    }
  }

  private void slotFreed() {
    scheduler.slotFreed();
  }

  boolean schedulerAlive() {
    return scheduler.isAlive();
  }

  @Nullable Instant lastPollAt() {
    return scheduler.lastPollAt();
  }

  int busyWorkers() {
    return pool.busyWorkers();
  }

  /** The attempt of {@code id} running on this node, if any. */
  @Nullable Execution execution(JobId id) {
    return pool.execution(id);
  }

  /**
   * Stops claiming and rescuing, gives running attempts the grace period, releases the rest, and
   * writes every outcome it can. The caller keeps ticking (heartbeats) until this returns.
   */
  void stop(boolean started) throws InterruptedException {
    if (started) {
      // nothing heard now would be acted on: the scheduler stops claiming, and cancellations
      // during the grace period still arrive by heartbeat
      events.stop(STOP_TIMEOUT);
      scheduler.stop(STOP_TIMEOUT);
      // a submit that claimed its job as it stored it hands it over before the threads stop
      pool.stopReservations(STOP_TIMEOUT);
      maintenance.stop(STOP_TIMEOUT);
      pool.shutdown(settings.shutdownGracePeriod());
    }
    writer.close(writeTimeout());
  }

  /**
   * Through a short outage, but not past the lease, after which another node has taken the jobs
   * anyway.
   */
  private Duration writeTimeout() {
    Duration lease = settings.leaseDuration();
    return lease.compareTo(WRITE_TIMEOUT) < 0 ? lease : WRITE_TIMEOUT;
  }
}

package org.reportorchestrator.internal;

import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.reportorchestrator.CancelOutcome;
import org.reportorchestrator.JobId;
import org.reportorchestrator.JobNotFoundException;
import org.reportorchestrator.JobQuery;
import org.reportorchestrator.JobSnapshot;
import org.reportorchestrator.JobState;
import org.reportorchestrator.JobTransition;
import org.reportorchestrator.ReportRequest;
import org.reportorchestrator.UnknownReportTypeException;
import org.reportorchestrator.spi.InsertResult;
import org.reportorchestrator.spi.JobRepository;
import org.reportorchestrator.spi.NewJob;
import org.reportorchestrator.spi.StoredJob;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Everything behind {@code ReportOrchestrator}: the client calls and the runtime's lifecycle. */
public final class Engine {

  private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
  private static final Duration MAX_TICK = Duration.ofMillis(250);

  /** How long close() waits for a claim or rescue under way before it goes on without it. */
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

  /** The longest close() tries to write outcomes after the grace period. */
  private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(30);

  /**
   * NEW, then STARTED; close() moves through STOPPING, in which the node claims nothing new but
   * keeps renewing leases, enforcing deadlines and passing on cancels until the last outcome or
   * release is written, and ends CLOSED.
   */
  private enum Phase {
    NEW,
    STARTED,
    STOPPING,
    CLOSED
  }

  private final Settings settings;
  private final JobRepository repository;
  private final TransitionListeners listeners;
  private final JobWaiters waiters;
  private final TransitionWriter writer;
  private final AttemptRecorder recorder;
  private final WorkerPool pool;
  private final Scheduler scheduler;
  private final Maintenance maintenance;
  private final LeaseKeeper leaseKeeper;
  private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.NEW);
  private @Nullable ScheduledExecutorService timer;

  public Engine(Settings settings) {
    this.settings = settings;
    this.repository = settings.repository();
    this.listeners = new TransitionListeners(settings.listeners());
    this.waiters = new JobWaiters(repository);
    StoreHealth health =
        new StoreHealth(settings.clock(), settings.heartbeatInterval().multipliedBy(2));
    this.writer =
        new TransitionWriter(
            repository,
            health,
            NamedThreads.single("orchestrator-writer", settings.threadFactory()));
    this.recorder = new AttemptRecorder(settings, writer, listeners, waiters);
    this.pool =
        new WorkerPool(
            settings,
            recorder,
            NamedThreads.numbered("orchestrator-worker", settings.threadFactory()),
            this::wakeScheduler);
    this.scheduler =
        new Scheduler(
            settings,
            pool,
            listeners,
            health,
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
  }

  public synchronized void start() {
    if (settings.tasks().isEmpty()) {
      throw new IllegalStateException(
          "this node only submits (no ReportTask registered, only submitOnly types), so it has"
              + " nothing to run; do not start it");
    }
    if (!phase.compareAndSet(Phase.NEW, Phase.STARTED)) {
      throw new IllegalStateException(
          phase.get() == Phase.STARTED
              ? "orchestrator is already started"
              : "orchestrator is closed");
    }
    writer.start();
    // The timer may exist already (a caller waited before start); its one tick now also keeps
    // leases and deadlines, since tick() looks at the phase.
    timer();
    scheduler.start();
    maintenance.start();
    LOG.info(
        "orchestrator {} started: {} workers, report types {}",
        settings.nodeId(),
        settings.workerCount(),
        settings.tasks().keySet());
  }

  public JobId submit(ReportRequest request) {
    return submitAll(List.of(request)).get(0);
  }

  public List<JobId> submitAll(List<ReportRequest> requests) {
    requireOpen();
    Instant now = settings.clock().instant();
    List<NewJob> jobs = new ArrayList<>(requests.size());
    for (ReportRequest request : requests) {
      if (request == null) {
        throw new IllegalArgumentException("requests must not contain null");
      }
      jobs.add(resolve(request, now));
    }
    if (jobs.isEmpty()) {
      return List.of();
    }
    List<JobId> newIds = new ArrayList<>(jobs.size());
    jobs.forEach(job -> newIds.add(job.id()));
    listeners.announcing(newIds);
    List<JobId> ids = new ArrayList<>(jobs.size());
    try {
      List<InsertResult> results = repository.insert(jobs);
      for (int i = 0; i < results.size(); i++) {
        InsertResult result = results.get(i);
        ids.add(result.id());
        if (result.created()) {
          NewJob job = jobs.get(i);
          listeners.fire(
              new JobTransition(
                  job.id(),
                  job.reportType(),
                  null,
                  JobState.REQUESTED,
                  now,
                  0,
                  settings.nodeId(),
                  null));
        }
      }
    } finally {
      listeners.announced(newIds);
    }
    wakeScheduler();
    return List.copyOf(ids);
  }

  private NewJob resolve(ReportRequest request, Instant now) {
    String type = request.reportType();
    if (!settings.accepts(type)) {
      throw new UnknownReportTypeException(type, settings.acceptedTypes());
    }
    Instant runAt = now;
    if (request.startAt() != null && request.startAt().isAfter(now)) {
      runAt = request.startAt();
    } else if (request.startAfter() != null) {
      runAt = now.plus(request.startAfter());
    }
    int maxAttempts =
        request.maxAttempts() != null
            ? request.maxAttempts()
            : settings.retryPolicyFor(type).maxAttempts();
    Duration timeout = request.timeout() != null ? request.timeout() : settings.timeoutFor(type);
    return new NewJob(
        JobIds.next(now),
        type,
        request.parameters(),
        request.idempotencyKey(),
        request.priority(),
        runAt,
        maxAttempts,
        timeout,
        now);
  }

  /**
   * Runs every job that is due now in the calling thread, until none is left; for tests of tasks
   * with a settable clock. Only on an orchestrator that was not started.
   */
  public int runDueJobs() {
    if (phase.get() != Phase.NEW) {
      throw new IllegalStateException(
          "runDueJobs() is for an orchestrator that is not started (and not closed); it runs jobs"
              + " in the calling thread");
    }
    writer.start();
    int ran = 0;
    while (true) {
      List<StoredJob> claimed = scheduler.claim(settings.clock().instant(), 1);
      if (claimed.isEmpty()) {
        return ran;
      }
      pool.runInline(claimed.get(0));
      ran++;
    }
  }

  public Optional<JobSnapshot> find(JobId id) {
    return repository.find(id).map(Snapshots::of);
  }

  public List<JobSnapshot> query(JobQuery query) {
    List<JobSnapshot> snapshots = new ArrayList<>();
    repository.query(query).forEach(job -> snapshots.add(Snapshots.of(job)));
    return snapshots;
  }

  public Optional<InputStream> openResult(JobId id) {
    return repository.openResult(id);
  }

  public CompletableFuture<JobSnapshot> whenFinished(JobId id) {
    requireNotClosed();
    CompletableFuture<JobSnapshot> future = waiters.await(id);
    if (!future.isDone()) {
      timer();
    }
    return future;
  }

  public CancelOutcome cancel(JobId id) {
    requireNotClosed();
    // A job may move between the reads and the conditional writes; each write settles it or not.
    for (int round = 0; round < 10; round++) {
      Instant now = settings.clock().instant();
      if (repository.cancelQueued(id, now)) {
        StoredJob job = repository.find(id).orElseThrow(() -> new JobNotFoundException(id));
        listeners.fire(
            new JobTransition(
                id,
                job.reportType(),
                JobState.REQUESTED,
                JobState.CANCELLED,
                now,
                job.attempt(),
                settings.nodeId(),
                null));
        waiters.jobFinished(id);
        return CancelOutcome.CANCELLED;
      }
      if (repository.requestCancellation(id, now)) {
        Execution local = pool.execution(id);
        if (local != null && !local.isSettled()) {
          local.requestCancellation();
        }
        return CancelOutcome.CANCELLATION_REQUESTED;
      }
      StoredJob job = repository.find(id).orElseThrow(() -> new JobNotFoundException(id));
      if (job.state().isTerminal()) {
        return CancelOutcome.ALREADY_FINISHED;
      }
    }
    throw new IllegalStateException(
        "job " + id + " kept changing state while being cancelled; try again");
  }

  public int purgeFinishedBefore(Instant cutoff) {
    int total = 0;
    int deleted;
    do {
      deleted = repository.purgeFinished(cutoff, Maintenance.PURGE_BATCH);
      total += deleted;
    } while (deleted == Maintenance.PURGE_BATCH);
    return total;
  }

  public Instant now() {
    return settings.clock().instant();
  }

  /**
   * Stop claiming and rescuing; give running attempts the grace period; release the rest to {@code
   * REQUESTED} and interrupt them; and keep renewing leases until every outcome and release is
   * written (or could not be, for {@link #WRITE_TIMEOUT}). Idempotent; never waits on a store call
   * that does not return.
   */
  public void close() {
    Phase before;
    do {
      before = phase.get();
      if (before == Phase.STOPPING || before == Phase.CLOSED) {
        return;
      }
    } while (!phase.compareAndSet(before, before == Phase.STARTED ? Phase.STOPPING : Phase.CLOSED));
    boolean interrupted = false;
    try {
      if (before == Phase.STARTED) {
        scheduler.stop(STOP_TIMEOUT);
        maintenance.stop(STOP_TIMEOUT);
        pool.shutdown(settings.shutdownGracePeriod());
      }
      writer.close(writeTimeout());
    } catch (InterruptedException e) {
      interrupted = true;
    } finally {
      phase.set(Phase.CLOSED);
      ScheduledExecutorService ticks = timer;
      if (ticks != null) {
        ticks.shutdownNow();
      }
      waiters.closeAll(new IllegalStateException("orchestrator closed while waiting for the job"));
      LOG.info("orchestrator {} closed", settings.nodeId());
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * How long close() keeps trying to write outcomes after the grace period: through a short outage,
   * but not past the lease, after which another node has taken the jobs anyway.
   */
  private Duration writeTimeout() {
    Duration lease = settings.leaseDuration();
    return lease.compareTo(WRITE_TIMEOUT) < 0 ? lease : WRITE_TIMEOUT;
  }

  private void tick() {
    try {
      Phase now = phase.get();
      if (now == Phase.STARTED || now == Phase.STOPPING) {
        leaseKeeper.tick();
      }
      if (!waiters.isEmpty()) {
        waiters.pollAll();
      }
    } catch (Throwable e) {
      // The timer thread must survive: losing it would stop heartbeats and deadlines.
      LOG.error("timer tick failed", e);
    }
  }

  private synchronized ScheduledExecutorService timer() {
    if (timer == null) {
      timer =
          Executors.newSingleThreadScheduledExecutor(
              NamedThreads.single("orchestrator-timer", settings.threadFactory()));
      long millis = Math.max(10, Math.min(settings.pollInterval().toMillis(), MAX_TICK.toMillis()));
      timer.scheduleWithFixedDelay(this::tick, millis, millis, TimeUnit.MILLISECONDS);
    }
    return timer;
  }

  private void wakeScheduler() {
    if (phase.get() == Phase.STARTED) {
      scheduler.wakeUp();
    }
  }

  private void requireOpen() {
    Phase now = phase.get();
    if (now == Phase.STOPPING || now == Phase.CLOSED) {
      throw new IllegalStateException("orchestrator is closed; submit is refused");
    }
  }

  private void requireNotClosed() {
    if (phase.get() == Phase.CLOSED) {
      throw new IllegalStateException("orchestrator is closed");
    }
  }
}

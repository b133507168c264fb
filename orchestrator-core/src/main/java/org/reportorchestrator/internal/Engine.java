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
import org.reportorchestrator.IllegalStateTransitionException;
import org.reportorchestrator.JobHistoryEntry;
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

/**
 * Everything behind {@code ReportOrchestrator}: the client calls (submit, read, cancel, wait),
 * which need no threads of their own, and the lifecycle of the {@link NodeRuntime} that a started
 * node runs jobs with.
 */
public final class Engine {

  private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
  private static final Duration MAX_TICK = Duration.ofMillis(250);

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
  private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.NEW);
  private @Nullable ScheduledExecutorService timer;

  /** Made by start() or runDueJobs(); a node that only submits never has one. */
  private volatile @Nullable NodeRuntime runtime;

  public Engine(Settings settings) {
    this.settings = settings;
    this.repository = settings.repository();
    this.listeners = new TransitionListeners(settings.listeners());
    this.waiters = new JobWaiters(repository);
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
    // A runtime exists already if a test ran due jobs inline before starting.
    NodeRuntime existing = runtime;
    NodeRuntime started =
        existing != null ? existing : new NodeRuntime(settings, listeners, waiters);
    runtime = started;
    started.start();
    // The timer may exist already (a caller waited before start); its one tick now also keeps
    // leases and deadlines, since tick() looks at the phase.
    timer();
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
      // the claim may start while the listeners hear of the submit; its event waits for theirs
      wakeScheduler();
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
    NodeRuntime inline = inlineRuntime();
    int ran = 0;
    while (inline.runOneInline()) {
      ran++;
    }
    return ran;
  }

  private synchronized NodeRuntime inlineRuntime() {
    NodeRuntime existing = runtime;
    if (existing != null) {
      return existing;
    }
    NodeRuntime inline = new NodeRuntime(settings, listeners, waiters);
    inline.startInline();
    runtime = inline;
    return inline;
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
        NodeRuntime running = runtime;
        Execution local = running == null ? null : running.execution(id);
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

  public Optional<List<JobHistoryEntry>> history(JobId id) {
    return repository.history(id);
  }

  public void retry(JobId id) {
    requireOpen();
    StoredJob before = repository.find(id).orElseThrow(() -> new JobNotFoundException(id));
    StateMachine.requireLegal(id, before.state(), JobState.REQUESTED);
    Instant now = settings.clock().instant();
    if (!repository.requeue(id, now)) {
      // another operator's retry (or a purge) came first
      StoredJob after = repository.find(id).orElseThrow(() -> new JobNotFoundException(id));
      throw new IllegalStateTransitionException(id, after.state(), JobState.REQUESTED);
    }
    wakeScheduler();
    listeners.fire(
        new JobTransition(
            id,
            before.reportType(),
            before.state(),
            JobState.REQUESTED,
            now,
            0,
            settings.nodeId(),
            null));
  }

  public int purgeFinishedBefore(Instant cutoff) {
    return Maintenance.purgeFinished(repository, cutoff, () -> true);
  }

  public Instant now() {
    return settings.clock().instant();
  }

  /**
   * Stop claiming and rescuing; give running attempts the grace period; release the rest to {@code
   * REQUESTED} and interrupt them; and keep renewing leases until every outcome and release is
   * written (or could not be, for a while). Idempotent; never waits on a store call that does not
   * return.
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
      NodeRuntime running = runtime;
      if (running != null) {
        running.stop(before == Phase.STARTED);
      }
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

  private void tick() {
    try {
      Phase now = phase.get();
      NodeRuntime running = runtime;
      if (running != null && (now == Phase.STARTED || now == Phase.STOPPING)) {
        running.tick();
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
    NodeRuntime running = runtime;
    if (running != null && phase.get() == Phase.STARTED) {
      running.wakeUp();
    }
  }

  private void requireOpen() {
    Phase now = phase.get();
    if (now == Phase.STOPPING || now == Phase.CLOSED) {
      throw new IllegalStateException("orchestrator is closed; new work is refused");
    }
  }

  private void requireNotClosed() {
    if (phase.get() == Phase.CLOSED) {
      throw new IllegalStateException("orchestrator is closed");
    }
  }
}

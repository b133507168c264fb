package org.reportorchestrator.internal;

import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
import org.reportorchestrator.OrchestratorHealth;
import org.reportorchestrator.OrchestratorMetrics;
import org.reportorchestrator.QueueStatistics;
import org.reportorchestrator.ReportParameterException;
import org.reportorchestrator.ReportRequest;
import org.reportorchestrator.Schedule;
import org.reportorchestrator.ScheduleNotFoundException;
import org.reportorchestrator.ScheduleSnapshot;
import org.reportorchestrator.UnknownReportTypeException;
import org.reportorchestrator.spi.EnqueueTransaction;
import org.reportorchestrator.spi.InsertResult;
import org.reportorchestrator.spi.JobRepository;
import org.reportorchestrator.spi.NewJob;
import org.reportorchestrator.spi.ScheduleRepository;
import org.reportorchestrator.spi.StoredJob;
import org.reportorchestrator.spi.StoredSchedule;
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

  /**
   * How long the scheduler may go without a look for due jobs before health() calls it late, in
   * poll intervals, and at least {@link #MIN_POLL_GRACE}.
   */
  private static final int POLLS_BEFORE_LATE = 3;

  private static final Duration MIN_POLL_GRACE = Duration.ofSeconds(1);

  private final Settings settings;
  private final JobRepository repository;
  private final ObservedRepository observedRepository;
  private final TransitionListeners listeners;
  private final JobWaiters waiters;
  private final StoreHealth storeHealth;
  private final StatisticsCache statistics;
  private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.NEW);
  private @Nullable ScheduledExecutorService timer;
  private volatile @Nullable Instant startedAt;

  /** The host's store as a schedule store, if it is one. */
  private final @Nullable ScheduleRepository schedules;

  private final @Nullable ScheduleFirer firer;

  /**
   * Whether the builder's schedules were written to the store; at start or the first inline run.
   */
  private boolean declaredSchedules;

  /** Made by start() or runDueJobs(); a node that only submits never has one. */
  private volatile @Nullable NodeRuntime runtime;

  public Engine(Settings configured) {
    this.storeHealth =
        new StoreHealth(
            configured.clock(),
            configured.heartbeatInterval(),
            configured.heartbeatInterval().multipliedBy(2));
    MetricsHook metrics = new MetricsHook(configured.metrics());
    // Every part of the node, and every client call, reaches the store through this view.
    this.observedRepository = new ObservedRepository(configured.repository(), storeHealth, metrics);
    this.settings = configured.withRepository(observedRepository);
    this.repository = settings.repository();
    this.listeners = new TransitionListeners(settings.listeners(), metrics);
    this.waiters = new JobWaiters(repository);
    this.statistics =
        new StatisticsCache(
            repository, settings.clock(), settings.statisticsInterval(), settings.threadFactory());
    metrics.bind(new NodeGauges());
    this.schedules =
        configured.repository() instanceof ScheduleRepository store
            ? new ObservedSchedules(store, storeHealth)
            : null;
    this.firer = schedules == null ? null : new ScheduleFirer(settings, schedules, listeners);
  }

  public synchronized void start() {
    if (settings.tasks().isEmpty()) {
      throw new IllegalStateException(
          "this node only submits (no ReportTask registered, only submitOnly types), so it has"
              + " nothing to run; do not start it");
    }
    requireNew();
    // before the node counts as started: a store that cannot take them fails start(), which the
    // host may call again
    declareSchedules();
    if (!phase.compareAndSet(Phase.NEW, Phase.STARTED)) {
      // closed meanwhile
      requireNew();
    }
    // A runtime exists already if a test ran due jobs inline before starting.
    NodeRuntime existing = runtime;
    NodeRuntime started =
        existing != null
            ? existing
            : new NodeRuntime(settings, listeners, waiters, storeHealth, firer);
    runtime = started;
    startedAt = settings.clock().instant();
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

  private void requireNew() {
    Phase now = phase.get();
    if (now != Phase.NEW) {
      throw new IllegalStateException(
          now == Phase.STARTED ? "orchestrator is already started" : "orchestrator is closed");
    }
  }

  public JobId submit(ReportRequest request) {
    return submitAll(List.of(request)).get(0);
  }

  public List<JobId> submitAll(List<ReportRequest> requests) {
    requireOpen();
    Instant now = settings.clock().instant();
    List<NewJob> jobs = resolveAll(requests, now);
    if (jobs.isEmpty()) {
      return List.of();
    }
    NodeRuntime running = runtime;
    if (jobs.size() == 1
        && running != null
        && phase.get() == Phase.STARTED
        && running.reserveWorkerFor(jobs.get(0), now)) {
      return List.of(submitAndStart(jobs.get(0), running, now));
    }
    List<JobId> newIds = idsOf(jobs);
    listeners.announcing(newIds);
    try {
      List<InsertResult> results = repository.insert(jobs);
      // the claim may start while the listeners hear of the submit; its event waits for theirs
      wakeScheduler();
      announceStored(jobs, results, now);
      return idsOfResults(results);
    } finally {
      listeners.announced(newIds);
    }
  }

  /**
   * A worker of this node is reserved for the job: it is claimed in the same write that stores it,
   * unless a job due before it waits, and starts here at once, one round trip after the submit
   * instead of two. Its submit event comes before its claim's, as for any job.
   */
  private JobId submitAndStart(NewJob job, NodeRuntime running, Instant now) {
    List<JobId> ids = List.of(job.id());
    StoredJob claimed = null;
    try {
      try {
        listeners.announcing(ids);
        claimed = repository.insertAndClaim(job, running.claimOnInsert(now)).orElse(null);
      } finally {
        if (claimed == null) {
          // Stored queued, or the write threw. A write that threw may still have committed with
          // the job claimed: its lease then runs out unrenewed and a rescue requeues it, as for a
          // claim whose answer was lost.
          running.cancelReservation();
        }
      }
      if (claimed == null) {
        // the scheduler claims it, and that claim's event waits for this submit's
        wakeScheduler();
      }
      announceStored(List.of(job), List.of(new InsertResult(job.id(), true)), now);
    } finally {
      listeners.announced(ids);
      // whatever the announcement threw, a claimed job goes to the worker reserved for it
      if (claimed != null) {
        running.startReserved(claimed, now);
      }
    }
    return job.id();
  }

  /**
   * Inserts through the host's transaction; what follows a stored job (the scheduler's wake-up, the
   * events, the metrics) waits for the commit, since until then no other transaction sees the job,
   * and a rollback means it never existed.
   */
  public List<JobId> submitAll(List<ReportRequest> requests, EnqueueTransaction transaction) {
    requireOpen();
    Instant now = settings.clock().instant();
    List<NewJob> jobs = resolveAll(requests, now);
    if (jobs.isEmpty()) {
      return List.of();
    }
    List<JobId> newIds = idsOf(jobs);
    // No claim before the commit, but one may come between the commit and the host running the
    // action; its event then waits for ours. A rollback leaves the ids owed until they are pruned.
    listeners.announcing(newIds);
    try {
      // Not observed as the store's health: the insert runs on the host's connection, whose
      // failures (an aborted transaction, a dropped connection) say nothing of the store's pool,
      // and whose successes must not hide an outage of that pool.
      List<InsertResult> results = transaction.insert(jobs);
      if (results.size() != jobs.size()) {
        throw new IllegalStateException(
            "the transaction answered " + results.size() + " results for " + jobs.size() + " jobs");
      }
      AtomicBoolean announced = new AtomicBoolean();
      transaction.afterCommit(
          () -> {
            // a host that runs its actions twice must not announce the jobs twice
            if (!announced.compareAndSet(false, true)) {
              return;
            }
            try {
              wakeScheduler();
              announceStored(jobs, results, now);
            } finally {
              listeners.announced(newIds);
            }
          });
      return idsOfResults(results);
    } catch (RuntimeException | Error e) {
      listeners.announced(newIds);
      throw e;
    }
  }

  private List<NewJob> resolveAll(List<ReportRequest> requests, Instant now) {
    List<NewJob> jobs = new ArrayList<>(requests.size());
    for (ReportRequest request : requests) {
      if (request == null) {
        throw new IllegalArgumentException("requests must not contain null");
      }
      jobs.add(resolve(request, now));
    }
    return jobs;
  }

  /** Tells the listeners (and metrics) of each job the insert created; a key's holder is old. */
  private void announceStored(List<NewJob> jobs, List<InsertResult> results, Instant now) {
    for (int i = 0; i < results.size(); i++) {
      if (results.get(i).created()) {
        NewJob job = jobs.get(i);
        listeners.fireSubmitted(job, now, settings.nodeId());
      }
    }
  }

  private static List<JobId> idsOf(List<NewJob> jobs) {
    List<JobId> ids = new ArrayList<>(jobs.size());
    jobs.forEach(job -> ids.add(job.id()));
    return ids;
  }

  private static List<JobId> idsOfResults(List<InsertResult> results) {
    List<JobId> ids = new ArrayList<>(results.size());
    results.forEach(result -> ids.add(result.id()));
    return List.copyOf(ids);
  }

  private NewJob resolve(ReportRequest request, Instant now) {
    String type = request.reportType();
    if (!settings.accepts(type)) {
      throw new UnknownReportTypeException(type, settings.acceptedTypes());
    }
    for (String name : settings.requiredParametersFor(type)) {
      String value = request.parameters().get(name);
      if (value == null) {
        throw new ReportParameterException(type, name, "is required but was not given");
      }
      if (value.isBlank()) {
        throw new ReportParameterException(type, name, "is required but was blank");
      }
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
    inline.fireDueSchedulesInline();
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
    declareSchedules();
    NodeRuntime inline = new NodeRuntime(settings, listeners, waiters, storeHealth, firer);
    inline.startInline();
    runtime = inline;
    return inline;
  }

  /** Writes the builder's schedules to the store, once: a changed definition replaces the old. */
  private synchronized void declareSchedules() {
    if (declaredSchedules) {
      return;
    }
    for (Schedule schedule : settings.schedules()) {
      schedule(schedule);
    }
    declaredSchedules = true;
  }

  public ScheduleSnapshot schedule(Schedule schedule) {
    requireOpen();
    ScheduleRepository store = scheduleStore();
    if (!settings.accepts(schedule.reportType())) {
      throw new UnknownReportTypeException(schedule.reportType(), settings.acceptedTypes());
    }
    String missing =
        missingParameter(
            settings.requiredParametersFor(schedule.reportType()), schedule.parameters());
    if (missing != null) {
      throw scheduleLacks(schedule.name(), schedule.reportType(), missing);
    }
    return ScheduleFirer.snapshot(
        store.upsertSchedule(ScheduleFirer.proposed(schedule, settings.clock().instant())));
  }

  /**
   * The first of {@code required} that {@code parameters} do not give with a value that is not
   * blank; {@code null} if they give them all.
   */
  public static @Nullable String missingParameter(
      Set<String> required, Map<String, String> parameters) {
    for (String name : required) {
      String value = parameters.get(name);
      if (value == null || value.isBlank()) {
        return name;
      }
    }
    return null;
  }

  /** The refusal of a schedule whose parameters lack {@code parameter}, naming all three. */
  public static ReportParameterException scheduleLacks(
      String scheduleName, String reportType, String parameter) {
    return new ReportParameterException(
        reportType,
        parameter,
        "is required but schedule '" + scheduleName + "' does not give it (or gives it blank)");
  }

  public List<ScheduleSnapshot> schedules() {
    List<ScheduleSnapshot> all = new ArrayList<>();
    scheduleStore().schedules().forEach(stored -> all.add(ScheduleFirer.snapshot(stored)));
    return all;
  }

  public Optional<ScheduleSnapshot> findSchedule(String name) {
    return scheduleStore().findSchedule(name).map(ScheduleFirer::snapshot);
  }

  public void pauseSchedule(String name) {
    requireOpen();
    if (!scheduleStore().pauseSchedule(name, settings.clock().instant())) {
      throw new ScheduleNotFoundException(name);
    }
  }

  public void resumeSchedule(String name) {
    requireOpen();
    ScheduleRepository store = scheduleStore();
    StoredSchedule stored =
        store.findSchedule(name).orElseThrow(() -> new ScheduleNotFoundException(name));
    if (!stored.paused()) {
      // an overdue schedule waits for its catch-up job; moving it past now would drop that job
      return;
    }
    Instant now = settings.clock().instant();
    Instant next =
        stored.nextFireAt().isAfter(now)
            ? stored.nextFireAt()
            : ScheduleFirer.nextAfter(stored, now);
    if (!store.resumeSchedule(name, next, now)) {
      throw new ScheduleNotFoundException(name);
    }
  }

  public void removeSchedule(String name) {
    requireOpen();
    if (!scheduleStore().removeSchedule(name)) {
      throw new ScheduleNotFoundException(name);
    }
  }

  private ScheduleRepository scheduleStore() {
    ScheduleRepository store = schedules;
    if (store == null) {
      throw new IllegalStateException(
          "the store "
              + settings.repository()
              + " keeps no schedules: it does not implement "
              + ScheduleRepository.class.getName());
    }
    return store;
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
                null),
            OrchestratorMetrics.Outcome.CANCELLED);
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
    List<JobId> ids = List.of(id);
    // a claim of the requeued job (here at once, or at the next poll) waits for this event
    listeners.announcing(ids);
    try {
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
              null),
          OrchestratorMetrics.Outcome.REQUEUED);
    } finally {
      listeners.announced(ids);
    }
  }

  public int purgeFinishedBefore(Instant cutoff) {
    return Maintenance.purgeFinished(repository, cutoff, () -> true);
  }

  public Instant now() {
    return settings.clock().instant();
  }

  /** The statistics cache's figures, read again if older than the statistics interval. */
  public QueueStatistics statistics() {
    requireNotClosed();
    return statistics.get();
  }

  /**
   * The node's health from what its threads saw; never waits for the store. Starts a statistics
   * read in the background if the cache is stale, which also probes the store.
   */
  public OrchestratorHealth health() {
    Instant now = settings.clock().instant();
    Phase current = phase.get();
    NodeRuntime running = runtime;
    boolean runsJobs = current == Phase.STARTED && running != null;
    List<String> problems = new ArrayList<>();
    OrchestratorHealth.Status status = OrchestratorHealth.Status.UP;
    if (current == Phase.STOPPING || current == Phase.CLOSED) {
      status = OrchestratorHealth.Status.DOWN;
      problems.add("the orchestrator is " + (current == Phase.CLOSED ? "closed" : "closing"));
    }
    boolean schedulerAlive = false;
    Instant lastPollAt = null;
    int busy = 0;
    if (running != null && current != Phase.NEW) {
      busy = running.busyWorkers();
    }
    if (runsJobs && running != null) {
      schedulerAlive = running.schedulerAlive();
      lastPollAt = running.lastPollAt();
      Instant since = lastPollAt != null ? lastPollAt : startedAt;
      Duration grace = settings.pollInterval().multipliedBy(POLLS_BEFORE_LATE);
      if (grace.compareTo(MIN_POLL_GRACE) < 0) {
        grace = MIN_POLL_GRACE;
      }
      if (!schedulerAlive) {
        status = OrchestratorHealth.Status.DOWN;
        problems.add("the scheduler thread has died; this node claims no jobs");
      } else if (since != null && now.isAfter(since.plus(grace))) {
        status = worse(status, OrchestratorHealth.Status.DEGRADED);
        problems.add(
            "the scheduler has not looked for due jobs since "
                + since
                + " (it looks every "
                + settings.pollInterval()
                + " when idle)");
      }
    }
    Instant failingSince = storeHealth.failingSince();
    if (failingSince != null) {
      if (!now.isBefore(failingSince.plus(storeHealth.minOutage()))) {
        status = OrchestratorHealth.Status.DOWN;
        problems.add("every store call has failed since " + failingSince);
      } else {
        status = worse(status, OrchestratorHealth.Status.DEGRADED);
        problems.add("the last store call failed");
      }
    }
    Optional<QueueStatistics> cached =
        current == Phase.CLOSED ? Optional.empty() : statistics.peek();
    StoreHealth.Failure failure = storeHealth.lastFailure();
    return new OrchestratorHealth(
        status,
        problems,
        now,
        runsJobs,
        schedulerAlive,
        lastPollAt,
        storeHealth.lastSuccessAt(),
        failure == null ? null : failure.at(),
        failure == null ? null : failure.description(),
        cached.map(QueueStatistics::lag).orElse(null),
        busy,
        runsJobs ? settings.workerCount() : 0);
  }

  private static OrchestratorHealth.Status worse(
      OrchestratorHealth.Status a, OrchestratorHealth.Status b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  /** What the metrics' gauges read: all from memory. */
  private final class NodeGauges implements OrchestratorMetrics.Gauges {

    @Override
    public Set<String> reportTypes() {
      return settings.acceptedTypes();
    }

    @Override
    public int workers() {
      Phase current = phase.get();
      return current == Phase.STARTED || current == Phase.STOPPING ? settings.workerCount() : 0;
    }

    @Override
    public int busyWorkers() {
      NodeRuntime running = runtime;
      return running == null ? 0 : running.busyWorkers();
    }

    @Override
    public Optional<QueueStatistics> statistics() {
      return phase.get() == Phase.CLOSED ? Optional.empty() : statistics.peek();
    }
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
      statistics.close();
      listeners.metrics().close();
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
      if (settings.metrics() != null && now == Phase.STARTED) {
        // keeps the gauges' figures warm; the read itself runs on the statistics thread
        statistics.peek();
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

package org.reportorchestrator;

import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.reportorchestrator.internal.Engine;
import org.reportorchestrator.internal.Settings;
import org.reportorchestrator.internal.SuppressForbidden;
import org.reportorchestrator.spi.EnqueueTransaction;
import org.reportorchestrator.spi.JobRepository;
import org.reportorchestrator.spi.ScheduleRepository;

/**
 * The entry point: submits report jobs, reads and cancels them, and (once {@link #start()}ed) runs
 * them on a pool of worker threads. Thread-safe.
 *
 * <pre>{@code
 * ReportOrchestrator orchestrator = ReportOrchestrator.builder()
 *     .repository(repository)
 *     .register("sales-summary", new SalesSummaryTask())
 *     .build();
 * orchestrator.start();
 * JobId id = orchestrator.submit(ReportRequest.of("sales-summary", Map.of("month", "2026-10")));
 * JobSnapshot done = orchestrator.awaitCompletion(id, Duration.ofMinutes(1));
 * }</pre>
 *
 * <p>An orchestrator that is never started is a client only: it submits, reads and cancels, and
 * runs no threads for that; another node runs the jobs. Execution is at-least-once (a crash or a
 * lost lease reruns an attempt); each transition is written exactly once.
 */
public final class ReportOrchestrator implements AutoCloseable {

  private final Engine engine;

  private ReportOrchestrator(Settings settings) {
    this.engine = new Engine(settings);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts the scheduler, the worker pool and the heartbeats.
   *
   * @throws IllegalStateException if already started or closed
   */
  public void start() {
    engine.start();
  }

  /**
   * Stores a job and returns its id; once this returns the job is durable (as durable as the
   * store). With an idempotency key that is already stored, returns the earlier job's id.
   *
   * <p>On a started node with a free worker, a job without an idempotency key that is due now may
   * be claimed by this node in the same write that stores it (where the store can) and handed to
   * that worker before this returns: it may be running, or even finished, by then. A job claimed so
   * was never queued, so other nodes are not told of it.
   *
   * @throws UnknownReportTypeException if no task is registered for the request's type
   * @throws ReportParameterException if the request lacks a parameter its type requires ({@link
   *     TaskOptions#withRequiredParameters(String...)}); nothing is stored
   * @throws StorageException if the store could not take the job. Almost always nothing was stored;
   *     but a connection lost while the database answered the commit hides a commit that went
   *     through, so submit with an idempotency key to make a retried submit safe
   * @throws IllegalStateException after {@link #close()}
   */
  public JobId submit(ReportRequest request) {
    Objects.requireNonNull(request, "request");
    return engine.submit(request);
  }

  /**
   * Stores several jobs in one write: all or none. Every request is checked before any is stored.
   *
   * @return the ids in the order of the requests
   * @throws IllegalArgumentException if there are more than {@value #MAX_BATCH} requests
   */
  public List<JobId> submitAll(List<ReportRequest> requests) {
    Objects.requireNonNull(requests, "requests");
    if (requests.size() > MAX_BATCH) {
      throw new IllegalArgumentException(
          "submitAll takes at most " + MAX_BATCH + " requests at once, got " + requests.size());
    }
    return engine.submitAll(requests);
  }

  /**
   * Stores a job inside the host's own database transaction: it exists if and only if that
   * transaction commits, no node can claim it before the commit, and listeners, metrics and this
   * node's scheduler hear of it only after the commit (never after a rollback). The request is
   * checked as {@link #submit(ReportRequest)} checks it, before anything is written. With an
   * idempotency key that is already stored, returns the earlier job's id and announces nothing.
   *
   * <pre>{@code
   * connection.setAutoCommit(false);
   * List<Runnable> afterCommit = new ArrayList<>();
   * saveOrder(connection, order);
   * orchestrator.submit(invoiceRequest, store.transaction(connection, afterCommit::add));
   * connection.commit();
   * afterCommit.forEach(Runnable::run);
   * }</pre>
   *
   * @param transaction the host's transaction, from the store (such as {@code
   *     JdbcJobRepository.transaction(connection, afterCommit)})
   * @throws UnknownReportTypeException if no task is registered for the request's type
   * @throws StorageException if the insert failed; the host's transaction may then be unusable (on
   *     PostgreSQL it is), so roll it back
   * @throws IllegalStateException after {@link #close()}
   */
  public JobId submit(ReportRequest request, EnqueueTransaction transaction) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(transaction, "transaction");
    return engine.submitAll(List.of(request), transaction).get(0);
  }

  /**
   * Stores several jobs inside the host's own database transaction, as {@link
   * #submit(ReportRequest, EnqueueTransaction)} stores one. Every request is checked before any is
   * written.
   *
   * @return the ids in the order of the requests
   * @throws IllegalArgumentException if there are more than {@value #MAX_BATCH} requests
   */
  public List<JobId> submitAll(List<ReportRequest> requests, EnqueueTransaction transaction) {
    Objects.requireNonNull(requests, "requests");
    Objects.requireNonNull(transaction, "transaction");
    if (requests.size() > MAX_BATCH) {
      throw new IllegalArgumentException(
          "submitAll takes at most " + MAX_BATCH + " requests at once, got " + requests.size());
    }
    return engine.submitAll(requests, transaction);
  }

  /** The most requests one {@link #submitAll} call takes. */
  public static final int MAX_BATCH = 10_000;

  private static final Duration LONGEST_TIMED_WAIT = Duration.ofNanos(Long.MAX_VALUE);

  /**
   * Runs every job that is due now, one after another in the calling thread, until none is left.
   * Meant for tests of your own tasks: with a settable clock (see {@code
   * org.reportorchestrator.testing.SettableClock}) they advance time and run what became due, and
   * never sleep. Timeouts are not enforced here.
   *
   * @return how many attempts ran
   * @throws IllegalStateException if the orchestrator was started or closed
   */
  public int runDueJobs() {
    return engine.runDueJobs();
  }

  /** The job as stored now; empty if there is no such job (or it was purged). */
  public Optional<JobSnapshot> find(JobId id) {
    Objects.requireNonNull(id, "id");
    return engine.find(id);
  }

  /**
   * The job as stored now.
   *
   * @throws JobNotFoundException if there is no such job
   */
  public JobSnapshot get(JobId id) {
    return find(id).orElseThrow(() -> new JobNotFoundException(id));
  }

  /** A page of jobs, oldest first. */
  public List<JobSnapshot> query(JobQuery query) {
    Objects.requireNonNull(query, "query");
    return engine.query(query);
  }

  /** The content of a completed job's result; empty if the job has none. The caller closes it. */
  public Optional<InputStream> openResult(JobId id) {
    Objects.requireNonNull(id, "id");
    return engine.openResult(id);
  }

  /**
   * Completes with the job's final snapshot once it is {@code COMPLETED}, {@code FAILED} or {@code
   * CANCELLED}, whichever node ran it; exceptionally with {@link JobNotFoundException} for an
   * unknown job. Cancelling the returned future stops only this wait.
   */
  public CompletableFuture<JobSnapshot> whenFinished(JobId id) {
    Objects.requireNonNull(id, "id");
    return engine.whenFinished(id);
  }

  /**
   * Waits up to {@code timeout} for the job to finish; a timeout too long to count in nanoseconds
   * (about 292 years, such as {@code ChronoUnit.FOREVER.getDuration()}) waits indefinitely.
   *
   * @return the final snapshot
   * @throws JobWaitTimeoutException if the job did not finish in time; the job goes on
   * @throws JobNotFoundException if there is no such job
   * @throws InterruptedException if the waiting thread was interrupted
   */
  public JobSnapshot awaitCompletion(JobId id, Duration timeout) throws InterruptedException {
    Objects.requireNonNull(timeout, "timeout");
    try {
      CompletableFuture<JobSnapshot> finished = whenFinished(id);
      return timeout.compareTo(LONGEST_TIMED_WAIT) >= 0
          ? finished.get()
          : finished.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new JobWaitTimeoutException(
          id, timeout, engine.find(id).map(JobSnapshot::state).orElse(null));
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException("waiting for job " + id + " failed", cause);
    }
  }

  /**
   * Cancels a job: at once if it has not started, otherwise by telling its task (see {@link
   * CancelOutcome#CANCELLATION_REQUESTED}).
   *
   * @throws JobNotFoundException if there is no such job
   */
  public CancelOutcome cancel(JobId id) {
    Objects.requireNonNull(id, "id");
    return engine.cancel(id);
  }

  /**
   * The job's history: every transition it went through, oldest first, each recorded by the store
   * in the same transaction as the transition itself (so a write that lost its fence left none).
   *
   * @throws JobNotFoundException if there is no such job (or it was purged)
   */
  public List<JobHistoryEntry> history(JobId id) {
    Objects.requireNonNull(id, "id");
    return engine.history(id).orElseThrow(() -> new JobNotFoundException(id));
  }

  /**
   * An operator's retry: takes a {@code FAILED} or {@code CANCELLED} job back to {@code REQUESTED},
   * due at once, with a fresh budget of attempts and the same id, type, parameters, priority and
   * idempotency key. Its history keeps the earlier attempts, and its last error stays until a new
   * one replaces it. Two retries of one failure move the job once: the second throws.
   *
   * @throws JobNotFoundException if there is no such job
   * @throws IllegalStateTransitionException if the job is not {@code FAILED} or {@code CANCELLED}
   *     (a {@code COMPLETED} job never runs again; submit a new one)
   */
  public void retry(JobId id) {
    Objects.requireNonNull(id, "id");
    engine.retry(id);
  }

  /**
   * Deletes finished jobs (and their results and history) that finished more than {@code age} ago,
   * in bounded batches.
   *
   * @return how many jobs were deleted
   */
  public int purgeFinishedOlderThan(Duration age) {
    if (age == null || age.isNegative()) {
      throw new IllegalArgumentException("age must be zero or positive: " + age);
    }
    return engine.purgeFinishedBefore(engine.now().minus(age));
  }

  /**
   * How many jobs of each report type the store holds in each state, how many are due, and how long
   * the oldest due one has waited (its lag): the whole store's, every node's jobs. Served from a
   * cache that is read again at most once per {@link Builder#statisticsInterval(Duration)
   * statistics interval}; a call that finds it older than that waits for one store query (a node
   * with {@link Builder#metrics metrics} keeps it warm on its timer). Works on a node that only
   * submits.
   *
   * @throws StorageException if the store could not be read and nothing was read before; with an
   *     older reading at hand, that is returned instead (see {@link QueueStatistics#readAt()})
   * @throws IllegalStateException after {@link #close()}
   */
  public QueueStatistics statistics() {
    return engine.statistics();
  }

  /**
   * This node's health, for a host's health endpoint. Never waits for the store: it reports what
   * the node's own store calls saw (and starts a statistics read in the background when the cache
   * is stale, which doubles as a probe of the store, at most once per statistics interval).
   *
   * <ul>
   *   <li>{@code DOWN}: the node is closing or closed; or its scheduler thread died; or every store
   *       call has failed for at least a heartbeat interval (a third of the lease, 20 s by
   *       default), long enough for leases to be at risk.
   *   <li>{@code DEGRADED}: the last store call failed, for less than that; or a started node's
   *       scheduler has not begun a look for due jobs within three poll intervals (at least 1 s),
   *       by the orchestrator's clock.
   *   <li>{@code UP}: otherwise. A node that only submits has no scheduler, so only the store
   *       decides.
   * </ul>
   *
   * The lag is reported, not judged: what lag is too much depends on the reports.
   */
  public OrchestratorHealth health() {
    return engine.health();
  }

  /**
   * Stores a recurring schedule, shared by every node on the store: a new name is added, a changed
   * definition replaces the stored one (with a new next fire time; paused stays paused), an
   * unchanged one keeps its next fire time. Started nodes fire it; see {@link Schedule}.
   *
   * @return the schedule as stored
   * @throws UnknownReportTypeException if this node cannot submit the schedule's report type
   * @throws ReportParameterException if the schedule's parameters lack one its report type requires
   *     ({@link TaskOptions#withRequiredParameters(String...)}); nothing is stored
   * @throws IllegalStateException if the store keeps no schedules (it does not implement {@code
   *     org.reportorchestrator.spi.ScheduleRepository}), or after {@link #close()}
   */
  public ScheduleSnapshot schedule(Schedule schedule) {
    Objects.requireNonNull(schedule, "schedule");
    return engine.schedule(schedule);
  }

  /** Every stored schedule, by name, as stored now. */
  public List<ScheduleSnapshot> schedules() {
    return engine.schedules();
  }

  /** The schedule of that name as stored now; empty if there is none. */
  public Optional<ScheduleSnapshot> findSchedule(String name) {
    Objects.requireNonNull(name, "name");
    return engine.findSchedule(name);
  }

  /**
   * Pauses a schedule on every node: its fire times make no jobs until it is resumed. Jobs it made
   * already are not touched.
   *
   * @throws ScheduleNotFoundException if there is no such schedule
   */
  public void pauseSchedule(String name) {
    Objects.requireNonNull(name, "name");
    engine.pauseSchedule(name);
  }

  /**
   * Resumes a paused schedule from its next fire time after now: fire times that passed while it
   * was paused are not caught up. On a schedule that is not paused it changes nothing, so an
   * overdue one still makes its catch-up job.
   *
   * @throws ScheduleNotFoundException if there is no such schedule
   */
  public void resumeSchedule(String name) {
    Objects.requireNonNull(name, "name");
    engine.resumeSchedule(name);
  }

  /**
   * Deletes a schedule; the jobs it made stay. A node that declares it on its builder stores it
   * again when it starts.
   *
   * @throws ScheduleNotFoundException if there is no such schedule
   */
  public void removeSchedule(String name) {
    Objects.requireNonNull(name, "name");
    engine.removeSchedule(name);
  }

  /**
   * Stops claiming, lets running jobs finish within the shutdown grace period, then interrupts them
   * and puts them back to {@code REQUESTED} without charging the attempt. Idempotent; does not
   * close the repository.
   */
  @Override
  public void close() {
    engine.close();
  }

  /**
   * Configures a {@link ReportOrchestrator}. Every setter checks its argument at once and names it
   * in the error. Not thread-safe.
   */
  public static final class Builder {

    private @Nullable JobRepository repository;
    private Clock clock = systemClock();
    private @Nullable String nodeId;
    private int workerCount = Math.max(2, Runtime.getRuntime().availableProcessors());
    private Duration pollInterval = Duration.ofSeconds(1);
    private Duration leaseDuration = Duration.ofSeconds(60);
    private RetryPolicy retryPolicy = RetryPolicy.DEFAULT;
    private Duration defaultTimeout = Duration.ofMinutes(30);
    private Duration shutdownGracePeriod = Duration.ofSeconds(30);
    private @Nullable Duration retention;
    private final Map<String, Settings.Registration> tasks = new LinkedHashMap<>();
    private final Map<String, TaskOptions> submitOnlyTypes = new LinkedHashMap<>();
    private final List<JobListener> listeners = new ArrayList<>();
    private @Nullable ThreadFactory threadFactory;
    private Duration statisticsInterval = Duration.ofSeconds(10);
    private @Nullable OrchestratorMetrics metrics;
    private final Map<String, Schedule> schedules = new LinkedHashMap<>();

    private Builder() {}

    // The one legitimate read of the system clock: the default of clock(...). Everything else
    // reads the time from the clock the builder hands to the runtime.
    @SuppressForbidden
    private static Clock systemClock() {
      return Clock.systemUTC();
    }

    /** Where jobs are stored. Required. The orchestrator never closes it. */
    public Builder repository(JobRepository repository) {
      this.repository = requireSetting("repository", repository);
      return this;
    }

    /** The clock for every timestamp, due time, lease and deadline. Defaults to UTC system time. */
    public Builder clock(Clock clock) {
      this.clock = requireSetting("clock", clock);
      return this;
    }

    /** This node's name in the store, unique among nodes. Defaults to a generated one. */
    public Builder nodeId(String nodeId) {
      requireSetting("nodeId", nodeId);
      if (nodeId.isBlank() || nodeId.length() > 100) {
        throw new IllegalArgumentException(
            "nodeId must be 1 to 100 non-blank characters: '" + nodeId + "'");
      }
      StoredText.require("nodeId", nodeId);
      this.nodeId = nodeId;
      return this;
    }

    /**
     * How many jobs this node runs at once, 1 to 1000. Defaults to the number of processors, and at
     * least 2.
     */
    public Builder workerCount(int count) {
      if (count < 1 || count > 1000) {
        throw new IllegalArgumentException("workerCount must be between 1 and 1000: " + count);
      }
      this.workerCount = count;
      return this;
    }

    /** How often to look for due jobs when idle, 10 ms to 1 hour. Defaults to 1 second. */
    public Builder pollInterval(Duration interval) {
      this.pollInterval =
          requireBetween("pollInterval", interval, Duration.ofMillis(10), Duration.ofHours(1));
      return this;
    }

    /**
     * How long a claim holds without a heartbeat, 1 second to 1 hour; heartbeats come every third
     * of it. A node silent for this long is presumed dead and its jobs are rerun. Defaults to 60 s.
     */
    public Builder leaseDuration(Duration lease) {
      this.leaseDuration =
          requireBetween("leaseDuration", lease, Duration.ofSeconds(1), Duration.ofHours(1));
      return this;
    }

    /** The retry policy for report types registered without one. */
    public Builder retryPolicy(RetryPolicy policy) {
      this.retryPolicy = requireSetting("retryPolicy", policy);
      return this;
    }

    /** How long one attempt may run, for types registered without a timeout. Defaults to 30 min. */
    public Builder defaultTimeout(Duration timeout) {
      this.defaultTimeout =
          requireBetween("defaultTimeout", timeout, Duration.ofMillis(1), Duration.ofDays(7));
      return this;
    }

    /**
     * How long {@link #close()} lets running jobs finish before interrupting them. Default 30 s.
     */
    public Builder shutdownGracePeriod(Duration grace) {
      this.shutdownGracePeriod =
          requireBetween("shutdownGracePeriod", grace, Duration.ZERO, Duration.ofHours(1));
      return this;
    }

    /**
     * Deletes finished jobs (and their results) once they have been finished this long, 1 hour to
     * 10 years; checked hourly by every started node. By default finished jobs are kept until
     * {@link ReportOrchestrator#purgeFinishedOlderThan(Duration)} deletes them.
     */
    public Builder retainFinishedJobsFor(Duration period) {
      this.retention =
          requireBetween(
              "retainFinishedJobsFor", period, Duration.ofHours(1), Duration.ofDays(3653));
      return this;
    }

    /** Registers the task that runs jobs of {@code reportType}, with the default options. */
    public Builder register(String reportType, ReportTask task) {
      return register(reportType, task, TaskOptions.DEFAULTS);
    }

    /** Registers the task that runs jobs of {@code reportType}. */
    public Builder register(String reportType, ReportTask task, TaskOptions options) {
      String type = ReportRequest.checkReportType(reportType);
      requireSetting("task", task);
      requireSetting("options", options);
      requireNewType(type);
      tasks.put(type, new Settings.Registration(type, task, options));
      return this;
    }

    /**
     * Declares a report type that this node submits but does not run, for a node that only takes
     * requests (a web node that is never started) while worker nodes register the task.
     */
    public Builder submitOnly(String reportType) {
      return submitOnly(reportType, TaskOptions.DEFAULTS);
    }

    /**
     * Declares a report type that this node submits but does not run. A job's attempts and timeout
     * are fixed when it is submitted, so give the options the worker nodes register the type with.
     */
    public Builder submitOnly(String reportType, TaskOptions options) {
      String type = ReportRequest.checkReportType(reportType);
      requireSetting("options", options);
      requireNewType(type);
      submitOnlyTypes.put(type, options);
      return this;
    }

    private void requireNewType(String type) {
      if (tasks.containsKey(type) || submitOnlyTypes.containsKey(type)) {
        throw new IllegalArgumentException("report type '" + type + "' is already registered");
      }
    }

    /** Adds a listener told of every transition this node writes. */
    public Builder listener(JobListener listener) {
      listeners.add(requireSetting("listener", listener));
      return this;
    }

    /** Makes the orchestrator's threads; it still names them. Defaults to daemon threads. */
    public Builder threadFactory(ThreadFactory factory) {
      this.threadFactory = requireSetting("threadFactory", factory);
      return this;
    }

    /**
     * How old {@link ReportOrchestrator#statistics()} may be before the store is read again, 100 ms
     * to 1 hour. Each read counts the whole table, so keep it well above the read's cost (see
     * docs/observability.md). Defaults to 10 s.
     */
    public Builder statisticsInterval(Duration interval) {
      this.statisticsInterval =
          requireBetween(
              "statisticsInterval", interval, Duration.ofMillis(100), Duration.ofHours(1));
      return this;
    }

    /**
     * Where to report what the orchestrator measures, such as {@code
     * org.reportorchestrator.micrometer.MicrometerMetrics}. None by default.
     */
    public Builder metrics(OrchestratorMetrics metrics) {
      this.metrics = requireSetting("metrics", metrics);
      return this;
    }

    /**
     * Declares a recurring schedule, written to the store when this node starts (or first runs due
     * jobs inline): added if new, replaced if its definition changed, left as it is (next fire
     * time, paused) if not. Its report type must be registered or declared {@link #submitOnly} by
     * the time of {@link #build()}, and the store must keep schedules.
     */
    public Builder schedule(Schedule schedule) {
      requireSetting("schedule", schedule);
      if (schedules.containsKey(schedule.name())) {
        throw new IllegalArgumentException(
            "schedule '" + schedule.name() + "' is already declared");
      }
      schedules.put(schedule.name(), schedule);
      return this;
    }

    /**
     * @throws IllegalStateException naming what is missing: the repository, or any registered task,
     *     or a schedule's report type; or a schedule declared on a store that keeps none
     * @throws ReportParameterException if a declared schedule's parameters lack one its report type
     *     requires, naming the schedule, the type and the parameter
     */
    public ReportOrchestrator build() {
      if (repository == null) {
        throw new IllegalStateException(
            "repository is required: call repository(...) before build()");
      }
      if (tasks.isEmpty() && submitOnlyTypes.isEmpty()) {
        throw new IllegalStateException(
            "no report types registered: call register(...) or submitOnly(...) before build()");
      }
      if (retryPolicy.maxAttempts() < 1) {
        throw new IllegalStateException("retryPolicy.maxAttempts must be at least 1");
      }
      for (Schedule schedule : schedules.values()) {
        if (!tasks.containsKey(schedule.reportType())
            && !submitOnlyTypes.containsKey(schedule.reportType())) {
          throw new IllegalStateException(
              "schedule '"
                  + schedule.name()
                  + "' makes jobs of report type '"
                  + schedule.reportType()
                  + "', which is neither registered nor declared submitOnly");
        }
        Settings.Registration registration = tasks.get(schedule.reportType());
        TaskOptions options =
            registration != null
                ? registration.options()
                : submitOnlyTypes.getOrDefault(schedule.reportType(), TaskOptions.DEFAULTS);
        String missing =
            Engine.missingParameter(options.requiredParameters(), schedule.parameters());
        if (missing != null) {
          throw Engine.scheduleLacks(schedule.name(), schedule.reportType(), missing);
        }
      }
      if (!schedules.isEmpty() && !(repository instanceof ScheduleRepository)) {
        throw new IllegalStateException(
            "schedules are declared, but the repository "
                + repository
                + " keeps no schedules (it does not implement "
                + ScheduleRepository.class.getName()
                + ")");
      }
      String node = nodeId != null ? nodeId : generatedNodeId();
      return new ReportOrchestrator(
          new Settings(
              repository,
              clock,
              node,
              workerCount,
              pollInterval,
              leaseDuration,
              retryPolicy,
              defaultTimeout,
              shutdownGracePeriod,
              retention,
              tasks,
              submitOnlyTypes,
              listeners,
              threadFactory,
              statisticsInterval,
              metrics,
              List.copyOf(schedules.values())));
    }

    private static String generatedNodeId() {
      return "node-"
          + ProcessHandle.current().pid()
          + "-"
          + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xFFFFFF));
    }

    private static <T> T requireSetting(String name, @Nullable T value) {
      if (value == null) {
        throw new IllegalArgumentException(name + " must not be null");
      }
      return value;
    }

    private static Duration requireBetween(
        String name, @Nullable Duration value, Duration min, Duration max) {
      Duration checked = requireSetting(name, value);
      if (checked.compareTo(min) < 0 || checked.compareTo(max) > 0) {
        throw new IllegalArgumentException(
            name + " must be between " + min + " and " + max + ": " + checked);
      }
      return checked;
    }
  }
}

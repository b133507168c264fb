package org.reportorchestrator.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.reportorchestrator.JobId;
import org.reportorchestrator.ReportCancelledException;
import org.reportorchestrator.ReportResult;
import org.reportorchestrator.ReportTimeoutException;
import org.reportorchestrator.spi.Lease;
import org.reportorchestrator.spi.StoredJob;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fixed number of worker threads that run claimed jobs. A slot is taken from the moment a job is
 * handed over until its thread is free again. When jobs are short next to a claim's round trip, a
 * few more are claimed than threads are free, so that no thread idles while the next claim is on
 * its way; they wait in this node's queue for about that round trip (see {@link
 * #jobsToClaim(long)}). Every {@link Throwable} a task throws, {@link Error}s included, ends its
 * attempt and nothing else.
 */
final class WorkerPool {

  private static final Logger LOG = LoggerFactory.getLogger(WorkerPool.class);

  /**
   * The most jobs queued per thread, however short they are. Each claim is a commit; for no-op jobs
   * on PostgreSQL, 8 per thread drained 1.8 to 2.4 times as fast as 3 per thread.
   */
  private static final int MAX_QUEUED_PER_WORKER = 8;

  /**
   * Jobs that run for less than this many claims queue at least one per thread. Jobs of similar
   * length that start together also end together, and then every thread wants its next job within
   * one claim's round trip; a queue sized by the average rate left threads idle at each such wave.
   * For 5,000 jobs of 20 ms on 32 threads, covering the wave cut the time threads waited for a job
   * from 62–103 ms to 39–65 ms per thread. Beyond this length a wave's wait costs under 1 % of a
   * job, and the jobs are better left in the store, where any node can take them.
   */
  static final long WAVE_COVERED_BELOW_CLAIMS = 100;

  /**
   * Jobs that run this long or longer never queue a wave, however slow claims have been: a job
   * queued behind a wave waits about one run, and a slow claim or two (a store under load) must not
   * make a node hold reports of minutes that other nodes could start.
   */
  static final long WAVE_COVERED_BELOW_NANOS = Duration.ofSeconds(1).toNanos();

  private final Settings settings;
  private final AttemptRecorder recorder;
  private final ExecutorService executor;

  /** Jobs handed over and not finished: running ones and those queued for a thread. */
  private final AtomicInteger busy = new AtomicInteger();

  /**
   * Submits on this node that hold a free thread while their job is stored and perhaps claimed in
   * the same write; counted in {@link #busy} too, so that the scheduler does not claim for it.
   */
  private final AtomicInteger reservations = new AtomicInteger();

  private final Object reservationsSettled = new Object();
  private volatile boolean refusingReservations;

  private final AtomicInteger running = new AtomicInteger();
  private final AtomicLong averageRunNanos = new AtomicLong();
  private volatile boolean stopping;
  private final AtomicInteger unwritten = new AtomicInteger();
  private final Map<JobId, Execution> executions = new ConcurrentHashMap<>();
  private final Runnable onSlotFreed;

  WorkerPool(
      Settings settings, AttemptRecorder recorder, ThreadFactory threads, Runnable onSlotFreed) {
    this.settings = settings;
    this.recorder = recorder;
    this.onSlotFreed = onSlotFreed;
    this.executor =
        new ThreadPoolExecutor(
            settings.workerCount(),
            settings.workerCount(),
            0L,
            TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(),
            threads);
  }

  /**
   * How many jobs to claim now, given that a claim takes {@code claimNanos}: one per free thread,
   * plus a queue (see {@link #queueLength}), so that for short jobs the next ones are at hand when
   * a thread frees even when a claim is slower than the last. Long jobs queue none: a report that
   * runs for minutes should wait in the store, where any node can take it. Returns 0 while queued
   * jobs remain and fewer than half the queue has room, so that claims come in batches rather than
   * one job at a time; and while more outcomes wait unwritten than the writer puts in one commit,
   * so that a slow store slows claiming instead of growing a backlog here.
   */
  int jobsToClaim(long claimNanos) {
    return roomFor(busy.get(), claimNanos);
  }

  /**
   * Takes the slots of {@link #jobsToClaim} for a claim about to be made, in one compare-and-set on
   * the held slots, so that no submit reserves one of them while the claim is on its way. Each
   * claimed job then goes to {@link #runClaimed} or {@link #releaseClaimed}, and the slots left
   * over to {@link #giveBack}.
   *
   * @return how many slots were taken, 0 if there is no room
   */
  int holdForClaim(long claimNanos) {
    while (true) {
      int held = busy.get();
      int room = roomFor(held, claimNanos);
      if (room <= 0) {
        return 0;
      }
      if (busy.compareAndSet(held, held + room)) {
        return room;
      }
    }
  }

  /** Frees slots that {@link #holdForClaim} took and the claim did not fill. */
  void giveBack(int slots) {
    if (slots > 0) {
      busy.addAndGet(-slots);
    }
  }

  private int roomFor(int held, long claimNanos) {
    int workers = settings.workerCount();
    int queue = queueLength(workers, averageRunNanos.get(), claimNanos);
    int overflow =
        Math.max(0, unwritten.get() - Math.max(TransitionWriter.MAX_BATCH, workers + queue));
    int room = workers + queue - held - overflow;
    int queued = held - running.get();
    if (queued > 0 && room < Math.max(1, queue / 2)) {
      return 0;
    }
    return Math.max(0, room);
  }

  /**
   * How many claimed jobs may wait on this node for a thread, for {@code workers} threads whose
   * jobs run {@code runNanos} on average (0 before the first ended) and claims that take {@code
   * claimNanos}: as many as the threads finish during four claims, and at least one per thread when
   * a job runs shorter than {@value #WAVE_COVERED_BELOW_CLAIMS} claims and shorter than a second,
   * at most {@value #MAX_QUEUED_PER_WORKER} per thread.
   */
  static int queueLength(int workers, long runNanos, long claimNanos) {
    if (runNanos <= 0) {
      return 0;
    }
    long wanted = 4 * workers * claimNanos / runNanos;
    if (runNanos < WAVE_COVERED_BELOW_CLAIMS * claimNanos && runNanos < WAVE_COVERED_BELOW_NANOS) {
      wanted = Math.max(wanted, workers);
    }
    return (int) Math.min((long) MAX_QUEUED_PER_WORKER * workers, wanted);
  }

  /** How many workers run a task now (jobs queued on the node not counted). */
  int busyWorkers() {
    return running.get();
  }

  /** Whether {@link #shutdown} began: jobs still queued go back instead of starting. */
  boolean isStopping() {
    return stopping;
  }

  /**
   * Takes a free thread for a job that this node may claim as it stores it ({@link
   * org.reportorchestrator.spi.JobRepository#insertAndClaim}). On {@code true}, exactly one of
   * {@link #runReserved} and {@link #cancelReservation} must follow; however many submits ask at
   * once, no more threads are promised than are free.
   */
  boolean reserveIdleWorker() {
    int workers = settings.workerCount();
    for (int held = busy.get(); held < workers && !refusingReservations; held = busy.get()) {
      if (busy.compareAndSet(held, held + 1)) {
        reservations.incrementAndGet();
        if (refusingReservations) {
          // stopReservations() may have counted none before this one: it must not go ahead
          cancelReservation();
          return false;
        }
        return true;
      }
    }
    return false;
  }

  /** Gives back a reserved thread whose job was stored queued, or not stored. */
  void cancelReservation() {
    busy.decrementAndGet();
    settleReservation();
    onSlotFreed.run();
  }

  /** Runs a job claimed as it was stored, on the thread reserved for it. */
  void runReserved(StoredJob job) {
    try {
      if (stopping) {
        releaseClaimed(job);
      } else {
        runClaimed(job);
      }
    } finally {
      settleReservation();
    }
  }

  private void settleReservation() {
    if (reservations.decrementAndGet() == 0 && refusingReservations) {
      synchronized (reservationsSettled) {
        reservationsSettled.notifyAll();
      }
    }
  }

  /**
   * Refuses reservations from now on and waits up to {@code timeout} for those under way to end, so
   * that a job a submit claims while the node stops still reaches a thread, or is given back,
   * before the threads stop. A submit whose write outlasts the wait leaves its job claimed without
   * a heartbeat; its lease runs out and a rescue requeues it.
   */
  void stopReservations(Duration timeout) throws InterruptedException {
    refusingReservations = true;
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (reservationsSettled) {
      while (reservations.get() > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          LOG.warn(
              "{} submits still storing and claiming their jobs after {}; going on without them",
              reservations.get(),
              timeout);
          return;
        }
        TimeUnit.NANOSECONDS.timedWait(reservationsSettled, left);
      }
    }
  }

  /** Runs a claimed job on a slot of its own, beyond the room the pool offered if need be. */
  void run(StoredJob job) {
    busy.incrementAndGet();
    runClaimed(job);
  }

  /**
   * Runs a claimed job whose slot is counted in {@link #busy} already: taken by {@link
   * #holdForClaim} or by a reservation.
   */
  void runClaimed(StoredJob job) {
    Settings.Registration registration = settings.tasks().get(job.reportType());
    Execution execution = begin(job);
    try {
      executor.execute(() -> runAttempt(execution, registration));
    } catch (RuntimeException | Error rejected) {
      busy.decrementAndGet();
      if (execution.settle()) {
        track(execution, recorder.released(execution));
      }
      throw rejected;
    }
  }

  /** Gives back a claimed job whose slot is counted in {@link #busy}: the node is stopping. */
  void releaseClaimed(StoredJob job) {
    Execution execution = begin(job);
    busy.decrementAndGet();
    if (execution.settle()) {
      track(execution, recorder.released(execution));
    }
  }

  /**
   * Runs a claimed job in the calling thread, for {@code runDueJobs()} in tests: same outcome
   * rules, no timeout enforcement.
   */
  void runInline(StoredJob job) {
    busy.incrementAndGet();
    Execution execution = begin(job);
    runAttempt(execution, settings.tasks().get(job.reportType()))
        .exceptionally(failure -> null)
        .join();
  }

  /** Tracks the attempt of a claimed job whose slot is taken. */
  private Execution begin(StoredJob job) {
    Execution execution = new Execution(job);
    executions.put(job.id(), execution);
    return execution;
  }

  /**
   * Attempts whose leases this node holds: those still running, and those that ended but whose
   * outcome is not written yet. Their leases are renewed until the outcome is written, so that a
   * slow or unreachable store does not let another node rerun a job that already finished here.
   */
  List<Execution> heldExecutions() {
    return new ArrayList<>(executions.values());
  }

  /**
   * Whether this node holds {@code lease}: its attempt runs here or its outcome is being written.
   */
  boolean holds(Lease lease) {
    Execution execution = executions.get(lease.jobId());
    return execution != null && execution.lease().equals(lease);
  }

  /** Stops renewing an attempt's lease because another claim owns the job now. */
  void forget(Execution execution) {
    executions.remove(execution.jobId(), execution);
  }

  /** Attempts that are still in progress and not yet settled. */
  List<Execution> activeExecutions() {
    List<Execution> active = new ArrayList<>();
    for (Execution execution : executions.values()) {
      if (!execution.isSettled()) {
        active.add(execution);
      }
    }
    return active;
  }

  @Nullable Execution execution(JobId id) {
    return executions.get(id);
  }

  /** Ends attempts that ran past their deadline: interrupts them and records a timeout failure. */
  void enforceDeadlines(Instant now) {
    for (Execution execution : activeExecutions()) {
      Instant deadline = execution.deadline();
      if (deadline != null && !now.isBefore(deadline) && execution.settle()) {
        try (JobMdc mdc = JobMdc.of(execution.job())) {
          // the failure's own line (retry or FAILED) names the timeout; this is the detail
          LOG.debug(
              "job {} ran past its timeout of {}; interrupting it",
              execution.jobId(),
              execution.job().timeout());
          execution.interrupt();
          track(
              execution,
              recorder.failed(execution, new ReportTimeoutException(execution.job().timeout())));
        }
      }
    }
  }

  /**
   * Stops taking work, lets running attempts finish within {@code grace}, then releases the rest
   * back to {@code REQUESTED} and interrupts them.
   */
  void shutdown(Duration grace) throws InterruptedException {
    // queued jobs go back at once instead of starting during the grace period
    stopping = true;
    executor.shutdown();
    boolean finished = executor.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS);
    if (!finished) {
      List<CompletableFuture<Void>> releases = new ArrayList<>();
      for (Execution execution : activeExecutions()) {
        if (execution.settle()) {
          CompletableFuture<Void> released = recorder.released(execution);
          track(execution, released);
          releases.add(released);
        }
      }
      executor.shutdownNow();
      CompletableFuture.allOf(releases.toArray(CompletableFuture[]::new))
          .orTimeout(30, TimeUnit.SECONDS)
          .exceptionally(e -> null)
          .join();
      if (!executor.awaitTermination(1, TimeUnit.SECONDS)) {
        LOG.warn(
            "{} worker threads ignored their interrupt; their outcomes will be discarded",
            busy.get());
      }
    }
  }

  /**
   * @return completes once the attempt's outcome is written (or it had none to write)
   */
  private CompletableFuture<Void> runAttempt(
      Execution execution, Settings.@Nullable Registration registration) {
    StoredJob job = execution.job();
    CompletableFuture<Void> recorded = CompletableFuture.completedFuture(null);
    boolean started = false;
    try {
      if (execution.isSettled()) {
        return recorded;
      }
      if (registration == null || stopping) {
        // Claims name this node's types, so only a store that ignores the filter lacks a task.
        if (execution.settle()) {
          recorded = recorder.released(execution);
          track(execution, recorded);
        }
        return recorded;
      }
      running.incrementAndGet();
      started = true;
      long startNanos = System.nanoTime();
      Instant startedAt = settings.clock().instant();
      execution.start(startedAt);
      MetricsHook metrics = recorder.metrics();
      metrics.attemptStarted(job.reportType(), Duration.between(job.runAt(), startedAt));
      Outcome outcome =
          job.cancellationRequested() || execution.isCancellationRequested()
              ? new Outcome(
                  null, new ReportCancelledException("cancelled before this attempt started"))
              : invoke(execution, registration);
      long ranNanos = System.nanoTime() - startNanos;
      recordRunTime(ranNanos);
      metrics.attemptFinished(
          job.reportType(), Duration.ofNanos(ranNanos), outcome.failure == null);
      if (execution.settle()) {
        recorded = recordOutcome(execution, outcome);
        track(execution, recorded);
      } else {
        LOG.debug(
            "job {} finished after its attempt was already settled; outcome discarded", job.id());
        if (execution.isAbandoned()) {
          // Lost to another claim (found by a progress write): no outcome will be written, so
          // nothing else stops renewing a lease that is no longer ours.
          forget(execution);
        }
      }
    } catch (Throwable unexpected) {
      LOG.error(
          "unexpected failure while finishing job {} ({}) attempt {}",
          job.id(),
          job.reportType(),
          job.attempt(),
          unexpected);
    } finally {
      if (started) {
        running.decrementAndGet();
      }
      busy.decrementAndGet();
      onSlotFreed.run();
    }
    return recorded;
  }

  /** A moving average over roughly the last 16 attempts, to size the queue. */
  private void recordRunTime(long nanos) {
    averageRunNanos.accumulateAndGet(
        Math.max(1, nanos),
        (average, latest) -> average == 0 ? latest : average + (latest - average) / 16);
  }

  private CompletableFuture<Void> recordOutcome(Execution execution, Outcome outcome) {
    try {
      return outcome.failure == null
          ? recorder.succeeded(execution, outcome.result)
          : recorder.failed(execution, outcome.failure);
    } catch (RuntimeException | Error e) {
      // Deciding the outcome must not strand the job: record the fault itself as its failure.
      return recorder.failed(
          execution,
          new IllegalStateException(
              "could not record the attempt's outcome: " + e.getClass().getName()));
    }
  }

  /**
   * Keeps the attempt's lease held (and renewed) until its outcome is written, and counts the
   * outcome among the unwritten ones meanwhile.
   */
  private void track(Execution execution, CompletableFuture<Void> recorded) {
    unwritten.incrementAndGet();
    recorded.whenComplete(
        (ignored, failure) -> {
          executions.remove(execution.jobId(), execution);
          unwritten.decrementAndGet();
          onSlotFreed.run();
        });
  }

  private record Outcome(@Nullable ReportResult result, @Nullable Throwable failure) {}

  private Outcome invoke(Execution execution, Settings.Registration registration) {
    StoredJob job = execution.job();
    JobContext context = new JobContext(execution, settings.repository(), settings.clock());
    execution.bindThread(Thread.currentThread());
    try (JobMdc mdc = JobMdc.of(job)) {
      return new Outcome(registration.task().run(context), null);
    } catch (Throwable failure) {
      return new Outcome(null, failure);
    } finally {
      execution.bindThread(null);
      // An interrupt meant for this attempt must not leak into the next one.
      Thread.interrupted();
    }
  }
}

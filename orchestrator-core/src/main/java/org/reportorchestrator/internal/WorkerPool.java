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
import org.jspecify.annotations.Nullable;
import org.reportorchestrator.JobId;
import org.reportorchestrator.ReportCancelledException;
import org.reportorchestrator.ReportResult;
import org.reportorchestrator.ReportTimeoutException;
import org.reportorchestrator.spi.Lease;
import org.reportorchestrator.spi.StoredJob;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * A fixed number of worker threads that run claimed jobs. A slot is taken from the moment a job is
 * handed over until its thread is free again, so the scheduler never claims more than can start.
 * Every {@link Throwable} a task throws, {@link Error}s included, ends its attempt and nothing
 * else.
 */
final class WorkerPool {

  private static final Logger LOG = LoggerFactory.getLogger(WorkerPool.class);

  private final Settings settings;
  private final AttemptRecorder recorder;
  private final ExecutorService executor;
  private final AtomicInteger busy = new AtomicInteger();
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
   * Threads free to start a job. A worker hands its outcome to the writer and takes the next job
   * without waiting for the commit, so that outcomes pile up into larger batches; but no more than
   * one outcome per worker may wait, so a slow store slows claiming instead of growing a queue.
   */
  int freeSlots() {
    int overflow = Math.max(0, unwritten.get() - settings.workerCount());
    return settings.workerCount() - busy.get() - overflow;
  }

  void run(StoredJob job) {
    Settings.Registration registration = settings.tasks().get(job.reportType());
    Execution execution = begin(job);
    try {
      executor.execute(() -> runAttempt(execution, registration));
    } catch (RuntimeException rejected) {
      busy.decrementAndGet();
      if (execution.settle()) {
        track(execution, recorder.released(execution));
      }
      throw rejected;
    }
  }

  /** Gives back a job claimed too late to run: the pool is shutting down. */
  void release(StoredJob job) {
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
    Execution execution = begin(job);
    runAttempt(execution, settings.tasks().get(job.reportType()))
        .exceptionally(failure -> null)
        .join();
  }

  /** Takes a slot for a claimed job and tracks its attempt, deadline included. */
  private Execution begin(StoredJob job) {
    Instant startedAt = job.startedAt() == null ? settings.clock().instant() : job.startedAt();
    Execution execution = new Execution(job, startedAt.plus(job.timeout()));
    busy.incrementAndGet();
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
      if (!now.isBefore(execution.deadline()) && execution.settle()) {
        LOG.warn(
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

  /**
   * Stops taking work, lets running attempts finish within {@code grace}, then releases the rest
   * back to {@code REQUESTED} and interrupts them.
   */
  void shutdown(Duration grace) throws InterruptedException {
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
    try {
      if (execution.isSettled()) {
        return recorded;
      }
      if (registration == null) {
        // Claims name this node's types, so only a store that ignores the filter gets here.
        if (execution.settle()) {
          recorded = recorder.released(execution);
          track(execution, recorded);
        }
        return recorded;
      }
      Outcome outcome =
          job.cancellationRequested()
              ? new Outcome(
                  null, new ReportCancelledException("cancelled before this attempt started"))
              : invoke(execution, registration);
      if (execution.settle()) {
        recorded = recordOutcome(execution, outcome);
        track(execution, recorded);
      } else {
        LOG.debug(
            "job {} finished after its attempt was already settled; outcome discarded", job.id());
      }
    } catch (Throwable unexpected) {
      LOG.error("unexpected failure while finishing job {}", job.id(), unexpected);
    } finally {
      busy.decrementAndGet();
      onSlotFreed.run();
    }
    return recorded;
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
    MDC.put("jobId", job.id().toString());
    MDC.put("reportType", job.reportType());
    MDC.put("attempt", Integer.toString(job.attempt()));
    try {
      return new Outcome(registration.task().run(context), null);
    } catch (Throwable failure) {
      return new Outcome(null, failure);
    } finally {
      execution.bindThread(null);
      // An interrupt meant for this attempt must not leak into the next one.
      Thread.interrupted();
      MDC.remove("jobId");
      MDC.remove("reportType");
      MDC.remove("attempt");
    }
  }
}

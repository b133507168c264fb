package org.reportorchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.reportorchestrator.spi.ClaimRequest;
import org.reportorchestrator.spi.StoredJob;
import org.slf4j.MDC;

/**
 * Behaviour of the whole orchestrator through its public API, run against each store. A store's
 * test subclasses this and supplies an empty repository.
 */
public abstract class ReportOrchestratorContract extends OrchestratorFixture {

  /** How many jobs the throughput test runs; a slow store may lower it. */
  protected int manyJobsCount() {
    return 10_000;
  }

  /**
   * Whether the store claims a job in the write that stores it ({@code
   * JobRepository.insertAndClaim}); a store that keeps the default stores it queued, and the
   * scheduler claims it.
   */
  protected boolean claimsOnInsert() {
    return false;
  }

  @Test
  void aSubmitOnANodeWithAnIdleWorkerClaimsTheJobAsItStoresIt() throws Exception {
    FaultyRepository store = new FaultyRepository(repository);
    Map<JobId, List<JobState>> heard = new ConcurrentHashMap<>();
    Map<JobId, String> claimedOn = new ConcurrentHashMap<>();
    ReportOrchestrator orchestrator =
        started(
            b ->
                b.repository(store)
                    .pollInterval(Duration.ofHours(1))
                    .register("report", context -> ReportResult.empty())
                    .listener(
                        transition -> {
                          heard
                              .computeIfAbsent(
                                  transition.jobId(), id -> new CopyOnWriteArrayList<>())
                              .add(transition.to());
                          if (transition.to() == JobState.RUNNING) {
                            claimedOn.put(transition.jobId(), Thread.currentThread().getName());
                          }
                        }));

    // A submit made while the scheduler claims finds the free workers held by that claim and is
    // stored queued. The scheduler's only polls come just after start(): submit until one met none.
    JobId id = null;
    for (int attempt = 0; attempt < 20 && id == null; attempt++) {
      int claimsBefore = store.claimsStarted.get();
      boolean noClaimUnderWay = store.claimsInFlight.get() == 0;
      JobId submitted = orchestrator.submit(ReportRequest.of("report"));
      orchestrator.awaitCompletion(submitted, Duration.ofSeconds(60));
      if (!claimsOnInsert() || (noClaimUnderWay && store.claimsStarted.get() == claimsBefore)) {
        id = submitted;
      }
    }

    assertThat(id).isNotNull();
    JobId measured = id;
    eventually().until(() -> heard.get(measured).contains(JobState.COMPLETED));
    assertThat(heard.get(measured))
        .containsExactly(JobState.REQUESTED, JobState.RUNNING, JobState.COMPLETED);
    assertThat(claimedOn.get(measured))
        .isEqualTo(claimsOnInsert() ? Thread.currentThread().getName() : "orchestrator-scheduler");
    assertThat(orchestrator.history(measured))
        .extracting(JobHistoryEntry::to)
        .containsExactly(JobState.REQUESTED, JobState.RUNNING, JobState.COMPLETED);
  }

  @Test
  void aSubmitWithAnIdempotencyKeyIsClaimedByTheScheduler() throws Exception {
    List<String> claimedOn = new CopyOnWriteArrayList<>();
    ReportOrchestrator orchestrator =
        startedWithOneWorker(
            transition -> {
              if (transition.to() == JobState.RUNNING) {
                claimedOn.add(Thread.currentThread().getName());
              }
            });

    JobId id =
        orchestrator.submit(ReportRequest.builder("report").idempotencyKey("order-7").build());
    orchestrator.awaitCompletion(id, Duration.ofSeconds(60));

    assertThat(claimedOn).containsExactly("orchestrator-scheduler");
  }

  /**
   * Submits from many threads at once never claim more jobs than the node has free workers, however
   * the claims on submit and the scheduler's claims interleave: while the first jobs block, exactly
   * as many are RUNNING in the store as there are workers, and every job runs once.
   */
  @Test
  void concurrentSubmitsClaimNoMoreJobsThanFreeWorkersAndRunEachOnce() throws Exception {
    int workers = 2;
    int threads = 8;
    int perThread = 10;
    CountDownLatch release = gate();
    Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
    ReportOrchestrator orchestrator =
        started(
            b ->
                b.workerCount(workers)
                    .register(
                        "report",
                        context -> {
                          runs.computeIfAbsent(context.parameter("n"), n -> new AtomicInteger())
                              .incrementAndGet();
                          release.await();
                          return ReportResult.empty();
                        }));
    List<JobId> ids = new CopyOnWriteArrayList<>();
    List<Thread> submitters = new ArrayList<>();
    CountDownLatch go = new CountDownLatch(1);
    for (int t = 0; t < threads; t++) {
      int thread = t;
      submitters.add(
          startThread(
              () -> {
                try {
                  go.await();
                  for (int i = 0; i < perThread; i++) {
                    ids.add(
                        orchestrator.submit(
                            ReportRequest.of("report", Map.of("n", thread + "-" + i))));
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }));
    }
    go.countDown();
    for (Thread submitter : submitters) {
      submitter.join(60_000);
    }
    assertThat(ids).hasSize(threads * perThread);

    eventually().until(() -> runs.size() == workers);
    assertThat(orchestrator.query(JobQuery.all().inStates(JobState.RUNNING))).hasSize(workers);
    release.countDown();
    for (JobId id : ids) {
      assertThat(orchestrator.awaitCompletion(id, Duration.ofSeconds(60)).state())
          .isEqualTo(JobState.COMPLETED);
    }
    assertThat(runs).hasSize(threads * perThread);
    assertThat(runs.values()).allSatisfy(count -> assertThat(count.get()).isEqualTo(1));
  }

  /**
   * A submit never reserves a worker that a claim under way counted as free: while the scheduler's
   * claim of a job is held up before the job reaches the pool, a submit of a more urgent job on the
   * one-worker node stores it queued, so the store has one job RUNNING, not two.
   */
  @Test
  void aSubmitDoesNotTakeTheWorkerOfAClaimUnderWay() throws Exception {
    CountDownLatch claimHeldUp = new CountDownLatch(1);
    CountDownLatch claimMayGoOn = gate();
    ReportOrchestrator orchestrator =
        startedWithOneWorker(
            transition -> {
              if (transition.to() == JobState.RUNNING
                  && Thread.currentThread().getName().equals("orchestrator-scheduler")
                  && claimHeldUp.getCount() > 0) {
                claimHeldUp.countDown();
                awaitQuietly(claimMayGoOn);
              }
            });
    // a keyed submit is always claimed by the scheduler
    JobId first =
        orchestrator.submit(ReportRequest.builder("report").idempotencyKey("first").build());
    assertThat(claimHeldUp.await(60, TimeUnit.SECONDS)).isTrue();

    JobId urgent = orchestrator.submit(ReportRequest.builder("report").priority(9).build());

    assertThat(orchestrator.query(JobQuery.all().inStates(JobState.RUNNING)))
        .extracting(JobSnapshot::id)
        .containsExactly(first);
    assertThat(orchestrator.get(urgent).state()).isEqualTo(JobState.REQUESTED);
    claimMayGoOn.countDown();
    assertThat(orchestrator.awaitCompletion(first, Duration.ofSeconds(60)).state())
        .isEqualTo(JobState.COMPLETED);
    assertThat(orchestrator.awaitCompletion(urgent, Duration.ofSeconds(60)).state())
        .isEqualTo(JobState.COMPLETED);
  }

  /**
   * A listener that throws an {@link Error} on a submit's event reaches the caller, but the worker
   * reserved for the job is not lost: the job still runs, and so does the next one on the
   * one-worker node.
   */
  @Test
  void aListenerErrorOnASubmitLosesNeitherTheJobNorTheWorker() throws Exception {
    AtomicBoolean failNext = new AtomicBoolean(true);
    ReportOrchestrator orchestrator =
        startedWithOneWorker(
            transition -> {
              if (transition.to() == JobState.REQUESTED && failNext.compareAndSet(true, false)) {
                throw new AssertionError("a listener's own bug");
              }
            });

    assertThatThrownBy(() -> orchestrator.submit(ReportRequest.of("report")))
        .isInstanceOf(AssertionError.class);
    JobId next = orchestrator.submit(ReportRequest.of("report"));

    assertThat(orchestrator.awaitCompletion(next, Duration.ofSeconds(60)).state())
        .isEqualTo(JobState.COMPLETED);
    eventually()
        .until(() -> orchestrator.query(JobQuery.all().inStates(JobState.COMPLETED)).size() == 2);
  }

  /** A started node with one worker, a no-op report type and {@code listener}. */
  private ReportOrchestrator startedWithOneWorker(JobListener listener) {
    return started(
        b ->
            b.workerCount(1)
                .register("report", context -> ReportResult.empty())
                .listener(listener));
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * A node that closes while submits on it go on leaves no job RUNNING in the store: a job claimed
   * as it was stored reaches a worker, or goes back to the queue, before the workers stop.
   */
  @Test
  void closingWhileSubmitsGoOnLeavesNoJobRunning() throws Exception {
    ReportOrchestrator orchestrator =
        started(b -> b.workerCount(2).register("report", context -> ReportResult.empty()));
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger submitted = new AtomicInteger();
    List<Thread> submitters = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      submitters.add(
          startThread(
              () -> {
                while (!stop.get()) {
                  try {
                    orchestrator.submit(ReportRequest.of("report"));
                    submitted.incrementAndGet();
                  } catch (IllegalStateException closed) {
                    return;
                  }
                }
              }));
    }
    eventually().until(() -> submitted.get() >= 50);

    orchestrator.close();
    stop.set(true);
    for (Thread submitter : submitters) {
      submitter.join(60_000);
    }

    assertThat(repository.query(JobQuery.all().inStates(JobState.RUNNING))).isEmpty();
  }

  private static Thread startThread(Runnable body) {
    Thread thread = new Thread(body);
    thread.start();
    return thread;
  }

  private static ReportTask text(String content) {
    return context -> ReportResult.ofText(content, "text/plain");
  }

  private JobSnapshot awaitState(ReportOrchestrator orchestrator, JobId id, JobState state) {
    eventually().until(() -> orchestrator.get(id).state() == state);
    return orchestrator.get(id);
  }

  private static String read(InputStream stream) {
    try (stream) {
      return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void submittedJobCompletesWithItsResult() throws Exception {
    ReportOrchestrator orchestrator =
        started(
            b ->
                b.register(
                    "greeting",
                    context ->
                        ReportResult.ofText("hello " + context.parameter("name"), "text/plain")
                            .withFileName("greeting.txt")
                            .withMetadata("rows", "1")));

    JobId id = orchestrator.submit(ReportRequest.of("greeting", Map.of("name", "Ada")));
    JobSnapshot done = orchestrator.awaitCompletion(id, Duration.ofSeconds(60));

    assertThat(done.state()).isEqualTo(JobState.COMPLETED);
    assertThat(done.attempt()).isEqualTo(1);
    assertThat(done.progress().percent()).isEqualTo(100);
    assertThat(done.lastError()).isNull();
    assertThat(done.ownerNode()).isNull();
    assertThat(done.result())
        .isEqualTo(new ResultInfo("text/plain", "greeting.txt", 9, Map.of("rows", "1")));
    assertThat(read(orchestrator.openResult(id).orElseThrow())).isEqualTo("hello Ada");
  }

  @Test
  void failingJobIsRetriedWithBackoffThenFailsWithItsError() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    ReportOrchestrator orchestrator =
        started(
            b ->
                b.register(
                    "flaky",
                    context -> {
                      runs.incrementAndGet();
                      throw new IllegalStateException(
                          "warehouse offline (attempt " + context.attempt() + ")");
                    }));

    JobId id = orchestrator.submit(ReportRequest.of("flaky"));

    eventually()
        .until(
            () ->
                orchestrator.get(id).attempt() == 1
                    && orchestrator.get(id).state() == JobState.REQUESTED);
    JobSnapshot afterFirst = orchestrator.get(id);
    assertThat(afterFirst.nextRunAt()).isEqualTo(START.plusSeconds(1));
    assertThat(afterFirst.lastError().message()).isEqualTo("warehouse offline (attempt 1)");

    clock.advance(Duration.ofSeconds(1));
    eventually()
        .until(
            () ->
                orchestrator.get(id).attempt() == 2
                    && orchestrator.get(id).state() == JobState.REQUESTED);
    assertThat(orchestrator.get(id).nextRunAt()).isEqualTo(START.plusSeconds(1 + 2));

    clock.advance(Duration.ofSeconds(2));
    JobSnapshot failed = orchestrator.awaitCompletion(id, Duration.ofSeconds(60));
    assertThat(failed.state()).isEqualTo(JobState.FAILED);
    assertThat(failed.attempt()).isEqualTo(3);
    assertThat(runs).hasValue(3);
    assertThat(failed.lastError().type()).isEqualTo(IllegalStateException.class.getName());
    assertThat(failed.lastError().message()).isEqualTo("warehouse offline (attempt 3)");
    assertThat(failed.lastError().stackTrace()).contains("IllegalStateException").contains("at ");
    assertThat(failed.finishedAt()).isEqualTo(START.plusSeconds(3));
  }

  @Test
  void nonRetryableFailureFailsAtOnce() throws Exception {
    ReportOrchestrator orchestrator =
        started(
            b ->
                b.register(
                    "strict",
                    context -> {
                      context.intParameter("year");
                      return ReportResult.empty();
                    }));

    JobId id = orchestrator.submit(ReportRequest.of("strict", Map.of("year", "last")));
    JobSnapshot failed = orchestrator.awaitCompletion(id, Duration.ofSeconds(60));

    assertThat(failed.state()).isEqualTo(JobState.FAILED);
    assertThat(failed.attempt()).isEqualTo(1);
    assertThat(failed.lastError().type()).isEqualTo(ReportParameterException.class.getName());
    assertThat(failed.lastError().message()).contains("'year'").contains("'last'");
  }

  @Test
  void attemptThatRunsPastItsTimeoutIsInterruptedAndFailed() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch never = gate();
    AtomicInteger interrupted = new AtomicInteger();
    ReportOrchestrator orchestrator =
        started(
            b ->
                b.register(
                    "slow",
                    context -> {
                      started.countDown();
                      try {
                        never.await();
                      } catch (InterruptedException e) {
                        interrupted.incrementAndGet();
                        throw e;
                      }
                      return ReportResult.empty();
                    },
                    TaskOptions.DEFAULTS
                        .withTimeout(Duration.ofSeconds(5))
                        .withRetryPolicy(RetryPolicy.noRetries())));

    JobId id = orchestrator.submit(ReportRequest.of("slow"));
    assertThat(started.await(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    clock.advance(Duration.ofSeconds(6));

    JobSnapshot failed = orchestrator.awaitCompletion(id, Duration.ofSeconds(60));
    assertThat(failed.state()).isEqualTo(JobState.FAILED);
    assertThat(failed.lastError().type()).isEqualTo(ReportTimeoutException.class.getName());
    assertThat(failed.timeout()).isEqualTo(Duration.ofSeconds(5));
    eventually().untilAsserted(() -> assertThat(interrupted).hasValue(1));
  }

  @Test
  void perRequestTimeoutAndAttemptsOverrideTheTypeDefaults() {
    ReportOrchestrator orchestrator = unstarted(b -> b.register("report", text("x")));
    JobId id =
        orchestrator.submit(
            ReportRequest.builder("report").maxAttempts(7).timeout(Duration.ofSeconds(42)).build());
    JobSnapshot job = orchestrator.get(id);
    assertThat(job.maxAttempts()).isEqualTo(7);
    assertThat(job.timeout()).isEqualTo(Duration.ofSeconds(42));
  }

  @Test
  void queuedJobIsCancelledAtOnce() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    ReportOrchestrator orchestrator =
        started(
            b ->
                b.register(
                    "report",
                    context -> {
                      runs.incrementAndGet();
                      return ReportResult.empty();
                    }));
    JobId id =
        orchestrator.submit(
            ReportRequest.builder("report").startAfter(Duration.ofHours(1)).build());

    assertThat(orchestrator.cancel(id)).isEqualTo(CancelOutcome.CANCELLED);
    JobSnapshot cancelled = orchestrator.awaitCompletion(id, Duration.ofSeconds(60));
    assertThat(cancelled.state()).isEqualTo(JobState.CANCELLED);
    assertThat(cancelled.finishedAt()).isEqualTo(START);
    assertThat(orchestrator.cancel(id)).isEqualTo(CancelOutcome.ALREADY_FINISHED);

    clock.advance(Duration.ofHours(2));
    JobId later = orchestrator.submit(ReportRequest.of("report"));
    orchestrator.awaitCompletion(later, Duration.ofSeconds(60));
    assertThat(runs).hasValue(1);
    assertThat(orchestrator.get(id).state()).isEqualTo(JobState.CANCELLED);
  }

  @Test
  void runningJobIsCancelledWhenItsTaskSeesTheCancellation() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch never = gate();
    ReportOrchestrator orchestrator =
        started(
            b ->
                b.register(
                    "long",
                    context -> {
                      started.countDown();
                      never.await();
                      return ReportResult.empty();
                    }));
    JobId id = orchestrator.submit(ReportRequest.of("long"));
    assertThat(started.await(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

    assertThat(orchestrator.cancel(id)).isEqualTo(CancelOutcome.CANCELLATION_REQUESTED);
    JobSnapshot cancelled = orchestrator.awaitCompletion(id, Duration.ofSeconds(60));
    assertThat(cancelled.state()).isEqualTo(JobState.CANCELLED);
    assertThat(cancelled.attempt()).isEqualTo(1);
  }

  @Test
  void cooperativeTaskStopsThroughItsContext() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    ReportOrchestrator orchestrator =
        started(
            b ->
                b.register(
                    "polite",
                    context -> {
                      started.countDown();
                      while (true) {
                        context.throwIfCancellationRequested();
                        Thread.onSpinWait();
                      }
                    }));
    JobId id = orchestrator.submit(ReportRequest.of("polite"));
    assertThat(started.await(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    orchestrator.cancel(id);
    JobSnapshot cancelled = orchestrator.awaitCompletion(id, Duration.ofSeconds(60));
    assertThat(cancelled.state()).isEqualTo(JobState.CANCELLED);
    assertThat(cancelled.lastError().type()).isEqualTo(ReportCancelledException.class.getName());
  }

  @Test
  void progressIsVisibleWhileTheJobRuns() throws Exception {
    CountDownLatch finish = gate();
    ReportOrchestrator orchestrator =
        started(
            b ->
                b.register(
                    "stepwise",
                    context -> {
                      context.progress(40, "aggregating");
                      finish.await();
                      return ReportResult.empty();
                    }));
    JobId id = orchestrator.submit(ReportRequest.of("stepwise"));

    eventually()
        .until(() -> orchestrator.get(id).progress().equals(new Progress(40, "aggregating")));
    JobSnapshot running = orchestrator.get(id);
    assertThat(running.state()).isEqualTo(JobState.RUNNING);
    assertThat(running.ownerNode()).isNotNull();
    assertThat(running.startedAt()).isEqualTo(START);

    finish.countDown();
    assertThat(orchestrator.awaitCompletion(id, Duration.ofSeconds(60)).progress().percent())
        .isEqualTo(100);
  }

  @Test
  void progressStoresEveryNewPercentButOnlySomeMessagesAtTheSamePercent() throws Exception {
    CountDownLatch reported = new CountDownLatch(1);
    CountDownLatch advanced = new CountDownLatch(1);
    CountDownLatch finish = gate();
    ReportOrchestrator orchestrator =
        started(
            b ->
                b.register(
                    "rows",
                    context -> {
                      context.progress(10, "row 1");
                      context.progress(10, "row 2");
                      context.progress(20, "row 3");
                      context.progress(20, "row 4");
                      reported.countDown();
                      advanced.await();
                      context.progress(20, "row 5");
                      finish.await();
                      return ReportResult.empty();
                    }));
    JobId id = orchestrator.submit(ReportRequest.of("rows"));

    assertThat(reported.await(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(orchestrator.get(id).progress()).isEqualTo(new Progress(20, "row 3"));

    clock.advance(Duration.ofSeconds(1));
    advanced.countDown();
    eventually().until(() -> orchestrator.get(id).progress().equals(new Progress(20, "row 5")));
    finish.countDown();
  }

  @Test
  void delayedJobDoesNotStartBeforeItsTime() throws Exception {
    ReportOrchestrator orchestrator = started(b -> b.workerCount(1).register("report", text("x")));
    JobId delayed =
        orchestrator.submit(
            ReportRequest.builder("report").startAfter(Duration.ofMinutes(10)).build());
    JobId immediate = orchestrator.submit(ReportRequest.of("report"));

    orchestrator.awaitCompletion(immediate, Duration.ofSeconds(60));
    // The scheduler has claimed since the delayed job was stored, and must have passed it over.
    JobSnapshot waiting = orchestrator.get(delayed);
    assertThat(waiting.state()).isEqualTo(JobState.REQUESTED);
    assertThat(waiting.attempt()).isZero();
    assertThat(waiting.nextRunAt()).isEqualTo(START.plus(Duration.ofMinutes(10)));

    clock.advance(Duration.ofMinutes(9));
    JobId probe = orchestrator.submit(ReportRequest.of("report"));
    orchestrator.awaitCompletion(probe, Duration.ofSeconds(60));
    assertThat(orchestrator.get(delayed).state()).isEqualTo(JobState.REQUESTED);

    clock.advance(Duration.ofMinutes(1));
    assertThat(orchestrator.awaitCompletion(delayed, Duration.ofSeconds(60)).state())
        .isEqualTo(JobState.COMPLETED);
  }

  @Test
  void dueJobsRunInPriorityOrder() throws Exception {
    List<String> order = Collections.synchronizedList(new ArrayList<>());
    ReportOrchestrator orchestrator =
        unstarted(
            b ->
                b.workerCount(1)
                    .register(
                        "report",
                        context -> {
                          order.add(context.parameter("name"));
                          return ReportResult.empty();
                        }));
    orchestrator.submit(
        ReportRequest.builder("report").parameter("name", "low").priority(-5).build());
    orchestrator.submit(ReportRequest.builder("report").parameter("name", "normal-1").build());
    orchestrator.submit(
        ReportRequest.builder("report").parameter("name", "urgent").priority(10).build());
    orchestrator.submit(ReportRequest.builder("report").parameter("name", "normal-2").build());

    assertThat(orchestrator.runDueJobs()).isEqualTo(4);
    assertThat(order).containsExactly("urgent", "normal-1", "normal-2", "low");
  }

  @Test
  void runDueJobsRunsWhatBecameDueAsTheClockMoves() {
    AtomicInteger runs = new AtomicInteger();
    ReportOrchestrator orchestrator =
        unstarted(
            b ->
                b.register(
                    "report",
                    context -> {
                      runs.incrementAndGet();
                      return ReportResult.empty();
                    }));
    JobId id =
        orchestrator.submit(ReportRequest.builder("report").startAfter(Duration.ofDays(1)).build());

    assertThat(orchestrator.runDueJobs()).isZero();
    clock.advance(Duration.ofDays(1));
    assertThat(orchestrator.runDueJobs()).isEqualTo(1);
    assertThat(runs).hasValue(1);
    assertThat(orchestrator.get(id).state()).isEqualTo(JobState.COMPLETED);
  }

  @Test
  void closeLetsRunningJobsFinishWithinTheGracePeriod() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch finish = gate();
    ReportOrchestrator orchestrator =
        started(
            b ->
                b.register(
                    "report",
                    context -> {
                      started.countDown();
                      finish.await();
                      return ReportResult.ofText("done", "text/plain");
                    }));
    JobId id = orchestrator.submit(ReportRequest.of("report"));
    assertThat(started.await(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

    Thread closer = new Thread(orchestrator::close);
    closer.start();
    finish.countDown();
    closer.join(60_000);

    assertThat(closer.isAlive()).isFalse();
    assertThat(orchestrator.get(id).state()).isEqualTo(JobState.COMPLETED);
  }

  @Test
  void closeReleasesJobsThatOutliveTheGracePeriodWithoutChargingAnAttempt() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch never = gate();
    ReportOrchestrator first =
        started(
            b ->
                b.shutdownGracePeriod(Duration.ofMillis(50))
                    .register(
                        "report",
                        context -> {
                          started.countDown();
                          never.await();
                          return ReportResult.empty();
                        }));
    JobId id = first.submit(ReportRequest.of("report"));
    assertThat(started.await(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

    first.close();

    JobSnapshot released = first.get(id);
    assertThat(released.state()).isEqualTo(JobState.REQUESTED);
    assertThat(released.attempt()).isZero();
    assertThat(released.ownerNode()).isNull();

    ReportOrchestrator second = started(b -> b.register("report", text("second node")));
    JobSnapshot done = second.awaitCompletion(id, Duration.ofSeconds(60));
    assertThat(done.state()).isEqualTo(JobState.COMPLETED);
    assertThat(done.attempt()).isEqualTo(1);
  }

  @Test
  void closeIsIdempotentAndRefusesLaterSubmits() {
    ReportOrchestrator orchestrator = started(b -> b.register("report", text("x")));
    orchestrator.close();
    orchestrator.close();
    assertThatThrownBy(() -> orchestrator.submit(ReportRequest.of("report")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThatThrownBy(orchestrator::start).isInstanceOf(IllegalStateException.class);
    assertThat(repository.query(JobQuery.all())).isEmpty();
  }

  @Test
  void jobOfADeadNodeIsRescuedWhenItsLeaseExpires() throws Exception {
    ReportOrchestrator orchestrator = unstarted(b -> b.register("report", text("rescued")));
    JobId id = orchestrator.submit(ReportRequest.of("report"));
    List<StoredJob> claimedByDeadNode =
        repository.claim(
            new ClaimRequest("dead-node", Set.of("report"), 1, START, START.plusSeconds(30)));
    assertThat(claimedByDeadNode).extracting(StoredJob::id).containsExactly(id);

    ReportOrchestrator survivor = started(b -> b.register("report", text("rescued")));
    // Past the dead lease and past the next rescue round (every third of our own lease).
    clock.advance(Duration.ofMinutes(5));

    JobSnapshot done = survivor.awaitCompletion(id, Duration.ofSeconds(60));
    assertThat(done.state()).isEqualTo(JobState.COMPLETED);
    assertThat(done.attempt()).isEqualTo(2);
  }

  @Test
  void aNodeThatOnlySubmitsRunsNoThreadsOfItsOwn() {
    ThreadFactory counting =
        runnable -> {
          throw new AssertionError("a node that only submits made a thread");
        };
    ReportOrchestrator client = unstarted(b -> b.threadFactory(counting).submitOnly("report"));

    JobId id = client.submit(ReportRequest.of("report"));
    assertThat(client.get(id).state()).isEqualTo(JobState.REQUESTED);
    assertThat(client.query(JobQuery.all())).hasSize(1);
    assertThat(client.cancel(id)).isEqualTo(CancelOutcome.CANCELLED);
    client.close();
  }

  @Test
  void aCancelOfAJobWhoseNodeDiedIsHonouredAfterTheRescue() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    ReportOrchestrator client = unstarted(b -> b.submitOnly("report"));
    JobId id = client.submit(ReportRequest.of("report"));
    repository.claim(
        new ClaimRequest("dead-node", Set.of("report"), 1, START, START.plusSeconds(30)));
    assertThat(client.cancel(id)).isEqualTo(CancelOutcome.CANCELLATION_REQUESTED);

    ReportOrchestrator survivor =
        started(
            b ->
                b.register(
                    "report",
                    context -> {
                      runs.incrementAndGet();
                      return ReportResult.empty();
                    }));
    clock.advance(Duration.ofMinutes(5));

    JobSnapshot cancelled = survivor.awaitCompletion(id, Duration.ofSeconds(60));
    assertThat(cancelled.state()).isEqualTo(JobState.CANCELLED);
    assertThat(runs).hasValue(0);
  }

  @Test
  void aThrownErrorEndsOnlyItsOwnJob() throws Exception {
    ReportOrchestrator orchestrator =
        started(
            b ->
                b.workerCount(1)
                    .register(
                        "explodes",
                        context -> {
                          throw new StackOverflowError("deep recursion in template");
                        },
                        TaskOptions.DEFAULTS.withRetryPolicy(RetryPolicy.noRetries()))
                    .register("report", text("fine")));

    JobId bad = orchestrator.submit(ReportRequest.of("explodes"));
    JobSnapshot failed = orchestrator.awaitCompletion(bad, Duration.ofSeconds(60));
    assertThat(failed.state()).isEqualTo(JobState.FAILED);
    assertThat(failed.lastError().type()).isEqualTo(StackOverflowError.class.getName());

    JobId good = orchestrator.submit(ReportRequest.of("report"));
    assertThat(orchestrator.awaitCompletion(good, Duration.ofSeconds(60)).state())
        .isEqualTo(JobState.COMPLETED);
  }

  @Test
  void taskReturningNullFailsWithAClearError() throws Exception {
    ReportOrchestrator orchestrator = started(b -> b.register("report", context -> null));
    JobSnapshot failed =
        orchestrator.awaitCompletion(
            orchestrator.submit(ReportRequest.of("report")), Duration.ofSeconds(60));
    assertThat(failed.state()).isEqualTo(JobState.FAILED);
    assertThat(failed.lastError().message()).contains("returned null");
  }

  @Test
  void listenersSeeEveryTransitionInOrder() throws Exception {
    List<JobTransition> seen = new CopyOnWriteArrayList<>();
    ReportOrchestrator orchestrator =
        started(
            b ->
                b.listener(seen::add)
                    .listener(
                        t -> {
                          throw new IllegalStateException("broken listener");
                        })
                    .register("report", text("x")));
    JobId id = orchestrator.submit(ReportRequest.of("report"));
    orchestrator.awaitCompletion(id, Duration.ofSeconds(60));

    eventually().until(() -> seen.size() == 3);
    assertThat(seen)
        .extracting(JobTransition::from)
        .containsExactly(null, JobState.REQUESTED, JobState.RUNNING);
    assertThat(seen)
        .extracting(JobTransition::to)
        .containsExactly(JobState.REQUESTED, JobState.RUNNING, JobState.COMPLETED);
    assertThat(seen).allSatisfy(t -> assertThat(t.jobId()).isEqualTo(id));
  }

  @Test
  void anOperatorsRetryRunsAFailedJobAgainUnderItsIdAndKey() throws Exception {
    AtomicBoolean warehouseDown = new AtomicBoolean(true);
    List<JobTransition> seen = new CopyOnWriteArrayList<>();
    ReportOrchestrator orchestrator =
        started(
            b ->
                b.listener(seen::add)
                    .register(
                        "export",
                        context -> {
                          if (warehouseDown.get()) {
                            throw new NonRetryableException("warehouse down");
                          }
                          return ReportResult.ofText("rows", "text/csv");
                        }));
    JobId id =
        orchestrator.submit(ReportRequest.builder("export").idempotencyKey("nightly").build());
    assertThat(orchestrator.awaitCompletion(id, Duration.ofSeconds(60)).state())
        .isEqualTo(JobState.FAILED);
    assertThat(
            orchestrator.submit(ReportRequest.builder("export").idempotencyKey("nightly").build()))
        .as("a key names its job whatever its state: resubmitting does not run it again")
        .isEqualTo(id);

    // the failure's event may reach listeners after a waiter saw the failure in the store
    eventually().until(() -> seen.size() == 3);
    warehouseDown.set(false);
    orchestrator.retry(id);
    JobSnapshot done = orchestrator.awaitCompletion(id, Duration.ofSeconds(60));

    assertThat(done.state()).isEqualTo(JobState.COMPLETED);
    assertThat(done.attempt()).isEqualTo(1);
    assertThat(done.lastError().message()).isEqualTo("warehouse down");
    assertThat(read(orchestrator.openResult(id).orElseThrow())).isEqualTo("rows");
    assertThat(orchestrator.history(id))
        .extracting(JobHistoryEntry::from, JobHistoryEntry::to, JobHistoryEntry::attempt)
        .containsExactly(
            tuple(null, JobState.REQUESTED, 0),
            tuple(JobState.REQUESTED, JobState.RUNNING, 1),
            tuple(JobState.RUNNING, JobState.FAILED, 1),
            tuple(JobState.FAILED, JobState.REQUESTED, 0),
            tuple(JobState.REQUESTED, JobState.RUNNING, 1),
            tuple(JobState.RUNNING, JobState.COMPLETED, 1));
    assertThat(orchestrator.history(id).get(2).errorMessage()).isEqualTo("warehouse down");
    eventually().until(() -> seen.size() == 6);
    assertThat(seen)
        .as("the retry's event comes before the claim it makes possible")
        .extracting(JobTransition::from, JobTransition::to)
        .containsExactly(
            tuple(null, JobState.REQUESTED),
            tuple(JobState.REQUESTED, JobState.RUNNING),
            tuple(JobState.RUNNING, JobState.FAILED),
            tuple(JobState.FAILED, JobState.REQUESTED),
            tuple(JobState.REQUESTED, JobState.RUNNING),
            tuple(JobState.RUNNING, JobState.COMPLETED));
  }

  @Test
  void onlyAFailedOrCancelledJobCanBeRetried() throws Exception {
    ReportOrchestrator orchestrator = started(b -> b.register("report", text("x")));
    JobId id = orchestrator.submit(ReportRequest.of("report"));
    orchestrator.awaitCompletion(id, Duration.ofSeconds(60));
    JobSnapshot before = orchestrator.get(id);
    JobId unknown = new JobId(UUID.randomUUID());

    assertThatThrownBy(() -> orchestrator.retry(id))
        .isInstanceOfSatisfying(
            IllegalStateTransitionException.class,
            e -> {
              assertThat(e.from()).isEqualTo(JobState.COMPLETED);
              assertThat(e.to()).isEqualTo(JobState.REQUESTED);
            });
    assertThatThrownBy(() -> orchestrator.retry(unknown)).isInstanceOf(JobNotFoundException.class);
    assertThatThrownBy(() -> orchestrator.history(unknown))
        .isInstanceOf(JobNotFoundException.class);
    assertThat(orchestrator.get(id)).isEqualTo(before);
    assertThat(orchestrator.history(id)).hasSize(3);
  }

  @Test
  void aCancelledJobRetriedFromASubmitOnlyNodeRunsOnAWorkerNode() throws Exception {
    ReportOrchestrator web = unstarted(b -> b.submitOnly("report"));
    JobId id = web.submit(ReportRequest.builder("report").startAt(START.plusSeconds(3600)).build());
    assertThat(web.cancel(id)).isEqualTo(CancelOutcome.CANCELLED);

    web.retry(id);
    ReportOrchestrator worker = started(b -> b.register("report", text("late but done")));

    assertThat(worker.awaitCompletion(id, Duration.ofSeconds(60)).state())
        .isEqualTo(JobState.COMPLETED);
    assertThat(web.history(id))
        .extracting(JobHistoryEntry::to)
        .containsExactly(
            JobState.REQUESTED,
            JobState.CANCELLED,
            JobState.REQUESTED,
            JobState.RUNNING,
            JobState.COMPLETED);
  }

  @Test
  void mdcCarriesTheJobWhileItsTaskRuns() throws Exception {
    Map<String, String> seen = new ConcurrentHashMap<>();
    ReportOrchestrator orchestrator =
        started(
            b ->
                b.register(
                    "report",
                    context -> {
                      seen.put("jobId", String.valueOf(MDC.get("jobId")));
                      seen.put("reportType", String.valueOf(MDC.get("reportType")));
                      return ReportResult.empty();
                    }));
    JobId id = orchestrator.submit(ReportRequest.of("report"));
    orchestrator.awaitCompletion(id, Duration.ofSeconds(60));
    assertThat(seen).containsEntry("jobId", id.toString()).containsEntry("reportType", "report");
  }

  @Test
  void sameIdempotencyKeyReturnsTheFirstJob() {
    ReportOrchestrator orchestrator = unstarted(b -> b.register("report", text("x")));
    JobId first =
        orchestrator.submit(
            ReportRequest.builder("report").idempotencyKey("monthly-2026-10").build());
    JobId second =
        orchestrator.submit(
            ReportRequest.builder("report").idempotencyKey("monthly-2026-10").build());
    assertThat(second).isEqualTo(first);
    assertThat(orchestrator.query(JobQuery.all())).hasSize(1);
  }

  @Test
  void aSubmitOnlyNodeStoresJobsThatAWorkerNodeRuns() throws Exception {
    ReportOrchestrator web =
        unstarted(
            b ->
                b.submitOnly(
                    "report",
                    TaskOptions.DEFAULTS.withRetryPolicy(RetryPolicy.DEFAULT.withMaxAttempts(5))));
    JobId id = web.submit(ReportRequest.of("report"));
    assertThat(web.get(id).maxAttempts()).isEqualTo(5);
    assertThatThrownBy(web::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("only submits");
    assertThatThrownBy(() -> web.submit(ReportRequest.of("other")))
        .isInstanceOf(UnknownReportTypeException.class);

    ReportOrchestrator worker = started(b -> b.register("report", text("ran on the worker")));
    assertThat(worker.awaitCompletion(id, Duration.ofSeconds(60)).state())
        .isEqualTo(JobState.COMPLETED);
    assertThat(web.awaitCompletion(id, Duration.ofSeconds(60)).state())
        .isEqualTo(JobState.COMPLETED);
  }

  @Test
  void badInputGetsAClearErrorAndStoresNothing() {
    ReportOrchestrator orchestrator = unstarted(b -> b.register("report", text("x")));

    assertThatThrownBy(() -> orchestrator.submit(ReportRequest.of("no-such-report")))
        .isInstanceOf(UnknownReportTypeException.class)
        .hasMessageContaining("'no-such-report'")
        .hasMessageContaining("[report]");
    assertThatThrownBy(
            () ->
                orchestrator.submitAll(
                    List.of(ReportRequest.of("report"), ReportRequest.of("nope"))))
        .isInstanceOf(UnknownReportTypeException.class);
    assertThatThrownBy(() -> orchestrator.submit(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> orchestrator.get(new JobId(UUID.randomUUID())))
        .isInstanceOf(JobNotFoundException.class);
    assertThatThrownBy(() -> orchestrator.cancel(new JobId(UUID.randomUUID())))
        .isInstanceOf(JobNotFoundException.class);

    assertThat(repository.query(JobQuery.all())).isEmpty();
  }

  @Test
  void aSubmitMissingARequiredParameterIsRefusedByNameAndStoresNothing() {
    TaskOptions needsRange = TaskOptions.DEFAULTS.withRequiredParameters("from", "to");
    ReportOrchestrator orchestrator =
        unstarted(b -> b.register("sales", text("x"), needsRange).submitOnly("export", needsRange));

    assertThatThrownBy(
            () -> orchestrator.submit(ReportRequest.of("sales", Map.of("from", "2026-01"))))
        .isInstanceOfSatisfying(
            ReportParameterException.class,
            e -> {
              assertThat(e.parameter()).isEqualTo("to");
              assertThat(e.reportType()).isEqualTo("sales");
            })
        .hasMessage("report type 'sales': parameter 'to' is required but was not given");
    assertThatThrownBy(() -> orchestrator.submit(ReportRequest.of("export")))
        .isInstanceOf(ReportParameterException.class)
        .hasMessage("report type 'export': parameter 'from' is required but was not given");
    assertThatThrownBy(
            () -> orchestrator.submit(ReportRequest.of("sales", Map.of("from", " ", "to", "x"))))
        .hasMessage("report type 'sales': parameter 'from' is required but was blank");
    assertThatThrownBy(
            () ->
                orchestrator.submitAll(
                    List.of(
                        ReportRequest.of("sales", Map.of("from", "2026-01", "to", "2026-03")),
                        ReportRequest.of("sales"))))
        .isInstanceOf(ReportParameterException.class);
    assertThat(repository.query(JobQuery.all())).isEmpty();

    JobId id =
        orchestrator.submit(
            ReportRequest.of("sales", Map.of("from", "2026-01", "to", "2026-03", "extra", "")));
    assertThat(orchestrator.get(id).parameters()).containsEntry("to", "2026-03");
    assertThat(repository.query(JobQuery.all())).hasSize(1);
  }

  @Test
  void requiredParametersAreCheckedWhenTheOptionsAreMade() {
    assertThat(TaskOptions.DEFAULTS.requiredParameters()).isEmpty();
    assertThat(
            TaskOptions.DEFAULTS
                .withRequiredParameters("to", "from")
                .withMaxRunningInCluster(2)
                .withTimeout(Duration.ofMinutes(1))
                .withRetryPolicy(RetryPolicy.noRetries())
                .requiredParameters())
        .containsExactly("to", "from");
    assertThatThrownBy(() -> TaskOptions.DEFAULTS.withRequiredParameters("from", " "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("requiredParameters must not contain a null or blank name");
    assertThatThrownBy(() -> TaskOptions.DEFAULTS.withRequiredParameters("from", null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void invalidBuilderSettingsAreRejectedByName() {
    assertThatThrownBy(() -> ReportOrchestrator.builder().workerCount(0))
        .hasMessage("workerCount must be between 1 and 1000: 0");
    assertThatThrownBy(() -> ReportOrchestrator.builder().pollInterval(Duration.ZERO))
        .hasMessageContaining("pollInterval must be between");
    assertThatThrownBy(() -> ReportOrchestrator.builder().leaseDuration(Duration.ofMillis(5)))
        .hasMessageContaining("leaseDuration must be between");
    assertThatThrownBy(() -> ReportOrchestrator.builder().nodeId(" "))
        .hasMessageContaining("nodeId");
    assertThatThrownBy(() -> ReportOrchestrator.builder().repository(null))
        .hasMessage("repository must not be null");
    assertThatThrownBy(() -> ReportOrchestrator.builder().register("report", text("x")).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("repository is required");
    assertThatThrownBy(() -> ReportOrchestrator.builder().repository(repository).build())
        .hasMessageContaining("no report types registered");
    assertThatThrownBy(
            () ->
                ReportOrchestrator.builder()
                    .register("report", text("x"))
                    .register("report", text("y")))
        .hasMessageContaining("'report' is already registered");
    assertThatThrownBy(
            () -> ReportOrchestrator.builder().register("report", text("x")).submitOnly("report"))
        .hasMessageContaining("'report' is already registered");
  }

  @Test
  void waitingForAnUnfinishedJobTimesOutWithoutHarmingIt() {
    ReportOrchestrator orchestrator = unstarted(b -> b.register("report", text("x")));
    JobId id = orchestrator.submit(ReportRequest.of("report"));
    assertThatThrownBy(() -> orchestrator.awaitCompletion(id, Duration.ofMillis(50)))
        .isInstanceOf(JobWaitTimeoutException.class)
        .hasMessageContaining(id.toString())
        .hasMessageContaining("REQUESTED");
    assertThat(orchestrator.get(id).state()).isEqualTo(JobState.REQUESTED);
  }

  @Test
  void queryPagesThroughJobsByStateAndType() {
    ReportOrchestrator orchestrator =
        unstarted(b -> b.register("a", text("x")).register("b", text("y")));
    for (int i = 0; i < 5; i++) {
      orchestrator.submit(ReportRequest.of("a"));
      orchestrator.submit(ReportRequest.of("b"));
    }
    assertThat(orchestrator.query(JobQuery.all().ofType("a"))).hasSize(5);
    List<JobSnapshot> firstPage = orchestrator.query(JobQuery.all().ofType("b").limit(3));
    assertThat(firstPage).hasSize(3);
    List<JobSnapshot> secondPage =
        orchestrator.query(JobQuery.all().ofType("b").limit(3).after(firstPage.get(2)));
    assertThat(secondPage).hasSize(2).doesNotContainAnyElementsOf(firstPage);
    assertThat(secondPage.get(0).createdAt()).isAfterOrEqualTo(firstPage.get(2).createdAt());
    assertThat(orchestrator.query(JobQuery.all().inStates(JobState.COMPLETED))).isEmpty();
  }

  @Test
  void purgeRemovesOnlyJobsFinishedLongEnoughAgo() throws Exception {
    ReportOrchestrator orchestrator = unstarted(b -> b.register("report", text("x")));
    JobId old = orchestrator.submit(ReportRequest.of("report"));
    orchestrator.runDueJobs();
    clock.advance(Duration.ofDays(8));
    JobId recent = orchestrator.submit(ReportRequest.of("report"));
    orchestrator.runDueJobs();
    JobId queued =
        orchestrator.submit(
            ReportRequest.builder("report").startAfter(Duration.ofDays(30)).build());

    assertThat(orchestrator.purgeFinishedOlderThan(Duration.ofDays(7))).isEqualTo(1);
    assertThat(orchestrator.find(old)).isEmpty();
    assertThat(orchestrator.find(recent)).isPresent();
    assertThat(orchestrator.find(queued)).isPresent();
  }

  @Test
  void aRetentionPeriodPurgesFinishedJobsOnItsOwn() throws Exception {
    ReportOrchestrator orchestrator =
        started(b -> b.retainFinishedJobsFor(Duration.ofDays(7)).register("report", text("x")));
    JobId finished = orchestrator.submit(ReportRequest.of("report"));
    orchestrator.awaitCompletion(finished, Duration.ofSeconds(60));
    JobId waiting =
        orchestrator.submit(
            ReportRequest.builder("report").startAt(START.plus(Duration.ofDays(30))).build());

    clock.advance(Duration.ofDays(8));

    eventually().until(() -> orchestrator.find(finished).isEmpty());
    assertThat(orchestrator.find(waiting)).isPresent();
    assertThatThrownBy(
            () -> ReportOrchestrator.builder().retainFinishedJobsFor(Duration.ofMinutes(5)))
        .hasMessageContaining("retainFinishedJobsFor must be between");
  }

  @Test
  void manyJobsOnEightWorkersEachCompleteExactlyOnce() throws Exception {
    int count = manyJobsCount();
    Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
    ReportOrchestrator orchestrator =
        started(
            b ->
                b.workerCount(8)
                    .register(
                        "report",
                        context -> {
                          runs.computeIfAbsent(context.jobId().toString(), k -> new AtomicInteger())
                              .incrementAndGet();
                          return ReportResult.empty();
                        }));
    List<JobId> ids = new ArrayList<>();
    List<ReportRequest> batch = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      batch.add(ReportRequest.of("report", Map.of("n", Integer.toString(i))));
      if (batch.size() == 1_000) {
        ids.addAll(orchestrator.submitAll(batch));
        batch.clear();
      }
    }
    ids.addAll(orchestrator.submitAll(batch));

    eventually()
        .atMost(Duration.ofMinutes(5))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () ->
                repository
                    .query(JobQuery.all().inStates(JobState.REQUESTED, JobState.RUNNING).limit(1))
                    .isEmpty());

    assertThat(runs).hasSize(count);
    assertThat(runs.values()).allSatisfy(n -> assertThat(n).hasValue(1));
    assertThat(Set.copyOf(ids)).hasSize(count);
    assertThat(
            repository.query(
                new JobQuery(
                    Set.of(JobState.REQUESTED, JobState.RUNNING, JobState.FAILED), null, null, 10)))
        .isEmpty();
  }
}

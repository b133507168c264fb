package org.reportorchestrator.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reportorchestrator.JobId;
import org.reportorchestrator.JobState;
import org.reportorchestrator.Progress;
import org.reportorchestrator.ReportContext;
import org.reportorchestrator.ReportResult;
import org.reportorchestrator.RetryPolicy;
import org.reportorchestrator.TaskOptions;
import org.reportorchestrator.spi.HeartbeatResult;
import org.reportorchestrator.spi.LeaseExtension;
import org.reportorchestrator.spi.ProgressUpdate;
import org.reportorchestrator.spi.StoredJob;
import org.reportorchestrator.spi.Transition;
import org.reportorchestrator.testing.SettableClock;

/**
 * A job handed to a pool whose only worker is busy waits in the pool's queue: what happens to it
 * there (shutdown, cancel, its timeout) must not depend on how long it waited.
 */
class WorkerPoolTest {

  private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
  private static final Duration TIMEOUT = Duration.ofMinutes(5);

  private final SettableClock clock = new SettableClock(T0);
  private final StoredJob first = claimed("blocking");
  private final StoredJob queued = claimed("quick");
  private final AppliedTransitions store = new AppliedTransitions();
  private final CountDownLatch releaseFirst = new CountDownLatch(1);
  private final CountDownLatch firstStarted = new CountDownLatch(1);
  private final Map<JobId, Instant> deadlinesSeen = new ConcurrentHashMap<>();
  private final Settings settings =
      new Settings(
          store,
          clock,
          "node-a",
          1,
          Duration.ofSeconds(1),
          Duration.ofSeconds(30),
          RetryPolicy.noRetries(),
          TIMEOUT,
          Duration.ofSeconds(10),
          null,
          Map.of(
              "blocking",
              new Settings.Registration("blocking", this::block, TaskOptions.DEFAULTS),
              "quick",
              new Settings.Registration("quick", this::recordDeadline, TaskOptions.DEFAULTS)),
          Map.of(),
          List.of(),
          null,
          Duration.ofSeconds(10),
          null,
          List.of());
  private final TransitionWriter writer =
      new TransitionWriter(
          store,
          new StoreHealth(clock, Duration.ofSeconds(10), Duration.ofSeconds(20)),
          NamedThreads.single("test-writer", null));
  private final WorkerPool pool =
      new WorkerPool(
          settings,
          new AttemptRecorder(
              settings, writer, new TransitionListeners(List.of()), new JobWaiters(store)),
          NamedThreads.numbered("test-worker", null),
          () -> {});

  @AfterEach
  void close() throws InterruptedException {
    releaseFirst.countDown();
    pool.shutdown(Duration.ofSeconds(10));
    writer.close(Duration.ofSeconds(10));
  }

  @Test
  void aQueuedJobGoesBackUnrunWhenThePoolShutsDown() throws Exception {
    runFirstAndQueueTheOther();

    CompletableFuture<Void> shutdown =
        CompletableFuture.runAsync(
            () -> {
              try {
                pool.shutdown(Duration.ofSeconds(30));
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    await().atMost(Duration.ofSeconds(30)).until(pool::isStopping);
    releaseFirst.countDown();
    shutdown.get(30, TimeUnit.SECONDS);

    assertThat(store.awaitTransition(first.id()).to()).isEqualTo(JobState.COMPLETED);
    assertThat(store.awaitTransition(queued.id())).isInstanceOf(Transition.Released.class);
    assertThat(deadlinesSeen).doesNotContainKey(queued.id());
  }

  @Test
  void aFreeWorkerIsReservedByOneSubmitHoweverManyAskAtOnce() throws Exception {
    int askers = 8;
    AtomicInteger holders = new AtomicInteger();
    AtomicInteger mostHolders = new AtomicInteger();
    AtomicInteger granted = new AtomicInteger();
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService threads = Executors.newFixedThreadPool(askers);
    List<Future<?>> asks = new ArrayList<>();
    for (int i = 0; i < askers; i++) {
      asks.add(
          threads.submit(
              () -> {
                go.await();
                for (int n = 0; n < 5_000; n++) {
                  if (pool.reserveIdleWorker()) {
                    granted.incrementAndGet();
                    mostHolders.accumulateAndGet(holders.incrementAndGet(), Math::max);
                    holders.decrementAndGet();
                    pool.cancelReservation();
                  }
                }
                return null;
              }));
    }
    go.countDown();
    for (Future<?> ask : asks) {
      ask.get(60, TimeUnit.SECONDS);
    }
    threads.shutdown();

    assertThat(granted.get()).isPositive();
    assertThat(mostHolders.get()).isEqualTo(1);
    assertThat(pool.reserveIdleWorker()).isTrue();
    // the scheduler does not claim for a reserved worker
    assertThat(pool.jobsToClaim(1_000_000)).isZero();
    pool.cancelReservation();
    assertThat(pool.jobsToClaim(1_000_000)).isEqualTo(1);
  }

  @Test
  void stoppingWaitsForAReservedWorkerToGetItsJobAndRefusesNewReservations() throws Exception {
    writer.start();
    assertThat(pool.reserveIdleWorker()).isTrue();

    CompletableFuture<Void> stopping =
        CompletableFuture.runAsync(
            () -> {
              try {
                pool.stopReservations(Duration.ofSeconds(30));
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    await()
        .during(Duration.ofMillis(200))
        .atMost(Duration.ofSeconds(30))
        .until(() -> !stopping.isDone());
    pool.runReserved(queued);
    stopping.get(30, TimeUnit.SECONDS);

    assertThat(store.awaitTransition(queued.id()).to()).isEqualTo(JobState.COMPLETED);
    await().atMost(Duration.ofSeconds(30)).until(() -> pool.busyWorkers() == 0);
    assertThat(pool.reserveIdleWorker()).isFalse();
  }

  @Test
  void aJobCancelledWhileQueuedEndsCancelledWithoutRunning() throws Exception {
    runFirstAndQueueTheOther();

    Execution waiting = pool.execution(queued.id());
    assertThat(waiting).isNotNull();
    waiting.requestCancellation();
    releaseFirst.countDown();

    assertThat(store.awaitTransition(queued.id()).to()).isEqualTo(JobState.CANCELLED);
    assertThat(deadlinesSeen).doesNotContainKey(queued.id());
  }

  @Test
  void aQueuedJobsTimeoutCountsFromTheMomentItStarts() throws Exception {
    runFirstAndQueueTheOther();
    Execution waiting = pool.execution(queued.id());
    assertThat(waiting).isNotNull();
    assertThat(waiting.deadline()).isNull();

    // the queued job waits an hour, longer than its timeout, and is not failed for it
    clock.advance(Duration.ofHours(1));
    pool.enforceDeadlines(clock.instant());
    releaseFirst.countDown();

    assertThat(store.awaitTransition(queued.id()).to()).isEqualTo(JobState.COMPLETED);
    assertThat(deadlinesSeen.get(queued.id()))
        .isEqualTo(T0.plus(Duration.ofHours(1)).plus(TIMEOUT));
  }

  /** The pool's one worker runs the blocking job, so the quick one waits in the pool's queue. */
  private void runFirstAndQueueTheOther() throws InterruptedException {
    writer.start();
    pool.run(first);
    assertThat(firstStarted.await(10, TimeUnit.SECONDS)).isTrue();
    pool.run(queued);
  }

  private ReportResult block(ReportContext context) throws Exception {
    firstStarted.countDown();
    assertThat(releaseFirst.await(30, TimeUnit.SECONDS)).isTrue();
    return ReportResult.empty();
  }

  private ReportResult recordDeadline(ReportContext context) {
    deadlinesSeen.put(context.jobId(), context.deadline());
    return ReportResult.empty();
  }

  private static StoredJob claimed(String type) {
    return new StoredJob(
        new JobId(UUID.randomUUID()),
        type,
        Map.of(),
        JobState.RUNNING,
        1,
        3,
        0,
        null,
        TIMEOUT,
        T0,
        T0,
        T0,
        null,
        T0,
        Progress.NONE,
        null,
        null,
        "node-a",
        1,
        T0.plusSeconds(30),
        false);
  }

  /** Applies every transition and keeps the first per job; renews every lease it is asked to. */
  private static final class AppliedTransitions extends UnusedRepository {
    private final Map<JobId, CompletableFuture<Transition>> applied = new ConcurrentHashMap<>();

    Transition awaitTransition(JobId id) throws Exception {
      return future(id).get(30, TimeUnit.SECONDS);
    }

    private CompletableFuture<Transition> future(JobId id) {
      return applied.computeIfAbsent(id, ignored -> new CompletableFuture<>());
    }

    @Override
    public List<Boolean> apply(List<Transition> transitions) {
      return transitions.stream().map(t -> future(t.jobId()).complete(t)).toList();
    }

    @Override
    public HeartbeatResult extendLeases(LeaseExtension extension) {
      return new HeartbeatResult(Set.of(), Set.of());
    }

    @Override
    public boolean updateProgress(ProgressUpdate update) {
      return true;
    }

    @Override
    public Optional<StoredJob> find(JobId id) {
      return Optional.empty();
    }
  }
}

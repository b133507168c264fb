package org.reportorchestrator.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reportorchestrator.JobError;
import org.reportorchestrator.JobId;
import org.reportorchestrator.Progress;
import org.reportorchestrator.ReportResult;
import org.reportorchestrator.ResultTooLargeException;
import org.reportorchestrator.StorageException;
import org.reportorchestrator.spi.Lease;
import org.reportorchestrator.spi.StoredJob;
import org.reportorchestrator.spi.Transition;

/**
 * The writer against a store that records its {@code apply} calls and fails on demand: what is
 * under test is how transitions are grouped, retried and settled, not how a database applies them.
 */
class TransitionWriterTest {

  private static final Instant NOW = Instant.parse("2026-11-02T09:00:00Z");

  private final RecordingStore store = new RecordingStore();
  private final TransitionWriter writer =
      new TransitionWriter(
          store,
          new StoreHealth(Clock.fixed(NOW, ZoneOffset.UTC), Duration.ZERO, Duration.ZERO),
          NamedThreads.single("test-writer", null));

  @AfterEach
  void close() throws InterruptedException {
    store.release.countDown();
    writer.close(Duration.ofSeconds(10));
  }

  private static Transition completion() {
    return Transition.completed(
        new Lease(new JobId(UUID.randomUUID()), 1), NOW, ReportResult.ofText("x", "text/plain"));
  }

  @Test
  void transitionsThatArriveDuringAWriteShareTheNextOne() throws Exception {
    writer.start();
    CompletableFuture<Boolean> first = writer.write(completion());
    assertThat(store.firstCallStarted.await(10, TimeUnit.SECONDS)).isTrue();
    List<CompletableFuture<Boolean>> queued = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      queued.add(writer.write(completion()));
    }

    store.release.countDown();

    assertThat(first.get(10, TimeUnit.SECONDS)).isTrue();
    for (CompletableFuture<Boolean> later : queued) {
      assertThat(later.get(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(store.calls).extracting(List::size).containsExactly(1, 5);
  }

  @Test
  void aTransitionTheStoreRefusesFailsAloneAndItsNeighboursApply() throws Exception {
    Transition tooLarge = completion();
    store.refuse.add(tooLarge.jobId());
    writer.start();
    CompletableFuture<Boolean> blocker = writer.write(completion());
    assertThat(store.firstCallStarted.await(10, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<Boolean> before = writer.write(completion());
    CompletableFuture<Boolean> refused = writer.write(tooLarge);
    CompletableFuture<Boolean> after = writer.write(completion());

    store.release.countDown();

    assertThat(blocker.get(10, TimeUnit.SECONDS)).isTrue();
    assertThat(before.get(10, TimeUnit.SECONDS)).isTrue();
    assertThat(after.get(10, TimeUnit.SECONDS)).isTrue();
    assertThatThrownBy(() -> refused.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(ResultTooLargeException.class);
  }

  @Test
  void aTransitionWhoseFenceFailsIsReportedAsNotApplied() throws Exception {
    Transition stale =
        Transition.failed(
            new Lease(new JobId(UUID.randomUUID()), 7), NOW, new JobError("x", "y", "z"));
    store.stale.add(stale.jobId());
    store.release.countDown();
    writer.start();

    assertThat(writer.write(stale).get(10, TimeUnit.SECONDS)).isFalse();
  }

  @Test
  void anUnreachableStoreDelaysTheWriteButNeverDropsIt() throws Exception {
    store.release.countDown();
    store.unreachableCalls.set(6);
    writer.start();

    CompletableFuture<Boolean> applied = writer.write(completion());

    assertThat(applied.get(60, TimeUnit.SECONDS)).isTrue();
    assertThat(store.unreachableCalls.get()).isZero();
    assertThat(writer.pendingCount()).isZero();
  }

  @Test
  void aWriteWhoseAcknowledgementWasLostIsSettledByReadingTheJobBack() throws Exception {
    store.release.countDown();
    store.loseAcknowledgement.set(true);
    writer.start();
    List<CompletableFuture<Boolean>> written = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      written.add(writer.write(completion()));
    }

    for (CompletableFuture<Boolean> each : written) {
      assertThat(each.get(30, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(store.committed).hasSize(8);
    assertThat(store.finds.get()).isPositive();
  }

  @Test
  void aTransitionThatLostItsFenceAfterAnUnknownCommitIsNotClaimedAsOurs() throws Exception {
    Transition stale = completion();
    store.stale.add(stale.jobId());
    store.release.countDown();
    store.unreachableCalls.set(1);
    writer.start();

    assertThat(writer.write(stale).get(30, TimeUnit.SECONDS)).isFalse();
  }

  @Test
  void aLeaseIsQueuedOnce() throws Exception {
    writer.start();
    Transition first = completion();
    CompletableFuture<Boolean> blocker = writer.write(completion());
    assertThat(store.firstCallStarted.await(10, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<Boolean> once = writer.write(first);
    CompletableFuture<Boolean> again =
        writer.write(Transition.failed(first.lease(), NOW, new JobError("x", "y", "z")));

    store.release.countDown();

    assertThat(again).isSameAs(once);
    assertThat(blocker.get(10, TimeUnit.SECONDS)).isTrue();
    assertThat(once.get(10, TimeUnit.SECONDS)).isTrue();
    assertThat(store.calls).extracting(List::size).containsExactly(1, 1);
  }

  @Test
  void closeWritesWhatIsQueuedBeforeItStops() throws Exception {
    store.release.countDown();
    store.unreachableCalls.set(3);
    writer.start();
    CompletableFuture<Boolean> applied = writer.write(completion());

    writer.close(Duration.ofSeconds(30));

    assertThat(applied).isCompletedWithValue(true);
  }

  private static StoredJob rowAfter(Transition t) {
    return new StoredJob(
        t.jobId(),
        "report",
        Map.of(),
        t.to(),
        1,
        3,
        0,
        null,
        Duration.ofMinutes(1),
        NOW,
        t.at(),
        NOW,
        t.to().isTerminal() ? t.at() : null,
        NOW,
        Progress.NONE,
        t.error(),
        null,
        null,
        t.lease().fencingToken(),
        null,
        false);
  }

  /** Records each apply call; blocks the first until released; refuses or fences chosen jobs. */
  private static final class RecordingStore extends UnusedRepository {
    final List<List<Transition>> calls = new CopyOnWriteArrayList<>();
    final CountDownLatch firstCallStarted = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final Set<JobId> refuse = new HashSet<>();
    final Set<JobId> stale = new HashSet<>();
    final Map<JobId, Transition> committed = new ConcurrentHashMap<>();
    final AtomicInteger unreachableCalls = new AtomicInteger();
    final AtomicBoolean loseAcknowledgement = new AtomicBoolean();
    final AtomicInteger finds = new AtomicInteger();

    @Override
    public List<Boolean> apply(List<Transition> transitions) {
      firstCallStarted.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      if (unreachableCalls.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        throw new StorageException("connection refused");
      }
      for (Transition transition : transitions) {
        if (refuse.contains(transition.jobId())) {
          throw new ResultTooLargeException(2, 1);
        }
      }
      calls.add(List.copyOf(transitions));
      List<Boolean> applied = new ArrayList<>();
      for (Transition t : transitions) {
        boolean wins = !stale.contains(t.jobId()) && !committed.containsKey(t.jobId());
        if (wins) {
          committed.put(t.jobId(), t);
        }
        applied.add(wins);
      }
      if (loseAcknowledgement.getAndSet(false)) {
        throw new StorageException("connection reset during COMMIT");
      }
      return applied;
    }

    @Override
    public Optional<StoredJob> find(JobId id) {
      finds.incrementAndGet();
      Transition t = committed.get(id);
      return Optional.ofNullable(t == null ? null : rowAfter(t));
    }
  }
}

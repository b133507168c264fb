package org.reportorchestrator.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.reportorchestrator.JobId;
import org.reportorchestrator.JobNotFoundException;
import org.reportorchestrator.JobSnapshot;
import org.reportorchestrator.JobState;
import org.reportorchestrator.Progress;
import org.reportorchestrator.StorageException;
import org.reportorchestrator.spi.JobRepository;
import org.reportorchestrator.spi.StoredJob;

/**
 * The timer's poll for waiters, one tick at a time: what it asks the store and how it settles each
 * waiter. The store is a map that counts its calls; any other store call fails the test.
 */
class JobWaitersTest {

  private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

  private final PolledStore store = new PolledStore();
  private final JobWaiters waiters = new JobWaiters(store);

  @Test
  void aThousandWaitersOnUnfinishedJobsCostOneStatesCallPerTickAndNoFind() {
    List<CompletableFuture<JobSnapshot>> futures = waitForNewJobs(1_000, JobState.RUNNING);

    for (int tick = 0; tick < 3; tick++) {
      waiters.pollAll();
    }

    assertThat(store.statesCalls).hasSize(3).allSatisfy(ids -> assertThat(ids).hasSize(1_000));
    assertThat(store.finds).isEmpty();
    assertThat(futures).noneMatch(CompletableFuture::isDone);
  }

  @Test
  void waitersBeyondOneCallAreAskedAboutInCallsOfAtMostTheLimitEachOnce() {
    waitForNewJobs(2_500, JobState.REQUESTED);

    waiters.pollAll();

    assertThat(store.statesCalls)
        .extracting(List::size)
        .containsExactly(JobRepository.MAX_IDS_PER_STATES_CALL, 1_000, 500);
    Set<JobId> asked = new HashSet<>();
    store.statesCalls.forEach(asked::addAll);
    assertThat(asked).isEqualTo(store.rows.keySet());
    assertThat(store.finds).isEmpty();
  }

  @Test
  void aTickFindsOnlyTheJobsThatFinishedAndCompletesTheirWaitersWithTheFinalSnapshot() {
    List<CompletableFuture<JobSnapshot>> futures = waitForNewJobs(10, JobState.RUNNING);
    Map<JobId, CompletableFuture<JobSnapshot>> byId = new HashMap<>();
    for (int i = 0; i < futures.size(); i++) {
      byId.put(store.order.get(i), futures.get(i));
    }
    JobId completed = store.order.get(2);
    JobId failed = store.order.get(5);
    JobId cancelled = store.order.get(7);
    store.put(completed, JobState.COMPLETED);
    store.put(failed, JobState.FAILED);
    store.put(cancelled, JobState.CANCELLED);

    waiters.pollAll();

    assertThat(store.statesCalls).hasSize(1);
    assertThat(store.finds).containsExactlyInAnyOrder(completed, failed, cancelled);
    assertThat(byId.get(completed).join().state()).isEqualTo(JobState.COMPLETED);
    assertThat(byId.get(failed).join().state()).isEqualTo(JobState.FAILED);
    assertThat(byId.get(cancelled).join().state()).isEqualTo(JobState.CANCELLED);
    assertThat(byId.get(cancelled).join().id()).isEqualTo(cancelled);
    assertThat(futures.stream().filter(CompletableFuture::isDone)).hasSize(3);

    waiters.pollAll();

    assertThat(store.statesCalls).extracting(List::size).containsExactly(10, 7);
    assertThat(store.finds).hasSize(3);
  }

  @Test
  void aTickFailsTheWaitersOfPurgedJobsWithJobNotFoundAndForgetsThem() {
    CompletableFuture<JobSnapshot> purged = waitForNewJobs(1, JobState.RUNNING).get(0);
    store.rows.remove(store.order.get(0));

    waiters.pollAll();

    assertThat(purged)
        .failsWithin(Duration.ZERO)
        .withThrowableOfType(ExecutionException.class)
        .withCauseInstanceOf(JobNotFoundException.class);
    assertThat(store.finds).isEmpty();
    assertThat(waiters.isEmpty()).isTrue();
  }

  @Test
  void aFailedTickLeavesEveryWaiterWaitingForTheNextTick() {
    List<CompletableFuture<JobSnapshot>> futures = waitForNewJobs(3, JobState.RUNNING);
    store.order.forEach(id -> store.put(id, JobState.COMPLETED));
    store.down.set(true);

    waiters.pollAll();

    assertThat(futures).noneMatch(CompletableFuture::isDone);
    store.down.set(false);

    waiters.pollAll();

    assertThat(futures).allMatch(future -> future.join().state() == JobState.COMPLETED);
    assertThat(waiters.isEmpty()).isTrue();
  }

  @Test
  void aJobRetriedBetweenTheStatesAndTheFindKeepsItsWaiterWaiting() {
    CompletableFuture<JobSnapshot> future = waitForNewJobs(1, JobState.RUNNING).get(0);
    JobId id = store.order.get(0);
    store.put(id, JobState.FAILED);
    store.afterStates.set(() -> store.put(id, JobState.REQUESTED));

    waiters.pollAll();

    assertThat(store.finds).containsExactly(id);
    assertThat(future).isNotDone();
    assertThat(waiters.isEmpty()).isFalse();
  }

  /** Stores {@code count} jobs in {@code state} and waits for each; forgets the calls that took. */
  private List<CompletableFuture<JobSnapshot>> waitForNewJobs(int count, JobState state) {
    List<CompletableFuture<JobSnapshot>> futures = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      JobId id = new JobId(UUID.randomUUID());
      store.order.add(id);
      store.put(id, state);
      futures.add(waiters.await(id));
    }
    store.statesCalls.clear();
    store.finds.clear();
    return futures;
  }

  /** Jobs in a map; records the ids of each states call and of each find. */
  private static final class PolledStore extends UnusedRepository {
    final Map<JobId, StoredJob> rows = new ConcurrentHashMap<>();
    final List<JobId> order = new CopyOnWriteArrayList<>();
    final List<List<JobId>> statesCalls = new CopyOnWriteArrayList<>();
    final List<JobId> finds = new CopyOnWriteArrayList<>();
    final AtomicBoolean down = new AtomicBoolean();
    final AtomicReference<Runnable> afterStates = new AtomicReference<>(() -> {});

    void put(JobId id, JobState state) {
      rows.put(id, row(id, state));
    }

    @Override
    public Map<JobId, JobState> states(Collection<JobId> ids) {
      statesCalls.add(List.copyOf(ids));
      if (down.get()) {
        throw new StorageException("store is down", new IllegalStateException("unreachable"));
      }
      Map<JobId, JobState> states = new HashMap<>();
      for (JobId id : ids) {
        StoredJob row = rows.get(id);
        if (row != null) {
          states.put(id, row.state());
        }
      }
      afterStates.get().run();
      return states;
    }

    @Override
    public Optional<StoredJob> find(JobId id) {
      finds.add(id);
      return Optional.ofNullable(rows.get(id));
    }

    private static StoredJob row(JobId id, JobState state) {
      boolean terminal = state.isTerminal();
      return new StoredJob(
          id,
          "report",
          Map.of(),
          state,
          1,
          3,
          0,
          null,
          Duration.ofMinutes(5),
          T0,
          T0,
          T0,
          terminal ? T0.plusSeconds(1) : null,
          T0,
          Progress.NONE,
          null,
          null,
          state == JobState.RUNNING ? "node-a" : null,
          1,
          state == JobState.RUNNING ? T0.plusSeconds(30) : null,
          false);
    }
  }
}

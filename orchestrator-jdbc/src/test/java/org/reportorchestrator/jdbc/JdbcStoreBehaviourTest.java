package org.reportorchestrator.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.reportorchestrator.DataRejectedException;
import org.reportorchestrator.JobError;
import org.reportorchestrator.JobId;
import org.reportorchestrator.JobQuery;
import org.reportorchestrator.JobState;
import org.reportorchestrator.Progress;
import org.reportorchestrator.ReportResult;
import org.reportorchestrator.ResultTooLargeException;
import org.reportorchestrator.StorageException;
import org.reportorchestrator.spi.ClaimRequest;
import org.reportorchestrator.spi.InsertResult;
import org.reportorchestrator.spi.Lease;
import org.reportorchestrator.spi.NewJob;
import org.reportorchestrator.spi.StoredJob;
import org.reportorchestrator.spi.Transition;

/**
 * What the JDBC store does beyond (and before) the shared contract suite: microsecond round trips,
 * batching, fencing, result limits, races between two stores on one database. One subclass per
 * database.
 */
abstract class JdbcStoreBehaviourTest {

  static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
  static final Duration LEASE = Duration.ofSeconds(30);
  static final Set<String> TYPES = Set.of("sales", "invoices");

  String prefix;
  JdbcJobRepository store;

  /** A JDBC URL, with credentials if any, of the database under test. */
  abstract String jdbcUrl();

  /** Removes the tables of {@code tablePrefix} after a test. */
  abstract void dropTables(String tablePrefix);

  JdbcJobRepository newStore(long maxResultBytes) {
    return JdbcJobRepository.builder()
        .jdbcUrl(jdbcUrl())
        .tablePrefix(prefix)
        .maxResultBytes(maxResultBytes)
        .build();
  }

  @BeforeEach
  void openStore() {
    prefix = TablePrefixes.unique();
    store = newStore(JdbcJobRepository.DEFAULT_MAX_RESULT_BYTES);
  }

  @AfterEach
  void closeStore() {
    store.close();
    dropTables(prefix);
  }

  static NewJob job(@Nullable String key, int priority, Instant runAt, Instant createdAt) {
    return new NewJob(
        new JobId(UUID.randomUUID()),
        "sales",
        Map.of("region", "north", "quote", "\"x\" & 'y'"),
        key,
        priority,
        runAt,
        3,
        Duration.ofMinutes(5),
        createdAt);
  }

  static NewJob job() {
    return job(null, 0, T0, T0);
  }

  JobId insert(NewJob job) {
    return store.insert(List.of(job)).get(0).id();
  }

  List<StoredJob> claim(String node, int limit, Instant now) {
    return claimFrom(store, node, limit, now);
  }

  static List<StoredJob> claimFrom(JdbcJobRepository store, String node, int limit, Instant now) {
    return store.claim(new ClaimRequest(node, TYPES, limit, now, now.plus(LEASE)));
  }

  StoredJob claimOne(JobId id) {
    List<StoredJob> claimed = claim("node-a", 1, T0);
    assertThat(claimed).extracting(StoredJob::id).containsExactly(id);
    return claimed.get(0);
  }

  StoredJob stored(JobId id) {
    return store.find(id).orElseThrow();
  }

  @Test
  void jobReadsBackAsWrittenTruncatedToMicroseconds() {
    Instant created = Instant.parse("2030-01-01T10:15:30.123456789Z");
    NewJob job = job("k-1", 7, created.plusNanos(999), created);

    store.insert(List.of(job));
    StoredJob stored = stored(job.id());

    assertThat(stored.createdAt()).isEqualTo(Instant.parse("2030-01-01T10:15:30.123456Z"));
    assertThat(stored.updatedAt()).isEqualTo(stored.createdAt());
    assertThat(stored.runAt()).isEqualTo(Instant.parse("2030-01-01T10:15:30.123457Z"));
    assertThat(stored.parameters()).isEqualTo(job.parameters());
    assertThat(stored.state()).isEqualTo(JobState.REQUESTED);
    assertThat(stored.attempt()).isZero();
    assertThat(stored.maxAttempts()).isEqualTo(3);
    assertThat(stored.priority()).isEqualTo(7);
    assertThat(stored.idempotencyKey()).isEqualTo("k-1");
    assertThat(stored.timeout()).isEqualTo(Duration.ofMinutes(5));
    assertThat(stored.progress()).isEqualTo(Progress.NONE);
    assertThat(stored.lastError()).isNull();
    assertThat(stored.result()).isNull();
    assertThat(stored.ownerNode()).isNull();
    assertThat(stored.leaseExpiresAt()).isNull();
    assertThat(stored.startedAt()).isNull();
    assertThat(stored.finishedAt()).isNull();
    assertThat(stored.cancellationRequested()).isFalse();
  }

  @Test
  void instantsBeforeTheEpochRoundTrip() {
    Instant old = Instant.parse("1969-12-31T23:59:59.000001Z");
    NewJob job = job(null, 0, old, old);

    store.insert(List.of(job));

    assertThat(stored(job.id()).createdAt()).isEqualTo(old);
  }

  @Test
  void insertIsAllOrNothing() {
    NewJob job = job();

    assertThatThrownBy(() -> store.insert(List.of(job(), job, job)))
        .isInstanceOf(StorageException.class)
        .isNotInstanceOf(DataRejectedException.class)
        .hasCauseInstanceOf(RuntimeException.class);

    assertThat(store.query(JobQuery.all())).isEmpty();
  }

  @Test
  void aValueTooLongForItsColumnIsRejectedDataAndTheMessageShowsNeitherStatementNorValue() {
    String key = "secret-" + "k".repeat(300);

    assertThatThrownBy(() -> store.insert(List.of(job(key, 0, T0, T0))))
        .isInstanceOf(DataRejectedException.class)
        .hasMessageContaining("insert a job")
        .hasMessageContaining("SQLState 22001")
        .hasMessageNotContaining("INSERT")
        .hasMessageNotContaining("secret-");
    assertThat(store.query(JobQuery.all())).isEmpty();
  }

  @Test
  void anEmptyResultIsStillAResult() throws Exception {
    JobId id = insert(job());
    StoredJob running = claimOne(id);

    store.apply(List.of(Transition.completed(running.lease(), T0, ReportResult.empty())));

    try (InputStream in = store.openResult(id).orElseThrow()) {
      assertThat(in.readAllBytes()).isEmpty();
    }
  }

  @Test
  void anOversizedResultRefusesTheWholeCallAndWritesNothing() {
    store.close();
    store = newStore(10);
    JobId big = insert(job());
    JobId other = insert(job());
    List<StoredJob> running = claim("node-a", 2, T0);
    StoredJob bigJob = running.stream().filter(j -> j.id().equals(big)).findFirst().orElseThrow();
    StoredJob otherJob =
        running.stream().filter(j -> j.id().equals(other)).findFirst().orElseThrow();
    JobError error = new JobError("java.io.IOException", "disk", "trace");

    assertThatThrownBy(
            () ->
                store.apply(
                    List.of(
                        Transition.completed(
                            bigJob.lease(), T0, ReportResult.ofText("eleven char", "text/plain")),
                        Transition.failed(otherJob.lease(), T0, error))))
        .isInstanceOfSatisfying(
            ResultTooLargeException.class,
            e -> {
              assertThat(e.sizeBytes()).isEqualTo(11);
              assertThat(e.limitBytes()).isEqualTo(10);
            });

    assertThat(stored(big)).isEqualTo(bigJob);
    assertThat(store.openResult(big)).isEmpty();
    assertThat(stored(other)).isEqualTo(otherJob);
  }

  @Test
  void manyTransitionsApplyInOneCallAndOnlyTheFencedOnesWin() {
    List<JobId> ids = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      ids.add(insert(job()));
    }
    List<StoredJob> running = claim("node-a", 20, T0);
    List<Transition> transitions = new ArrayList<>();
    for (StoredJob job : running) {
      transitions.add(
          Transition.completed(
              job.lease(), T0, ReportResult.ofText(job.id().toString(), "text/plain")));
    }
    transitions.add(
        Transition.failed(new Lease(ids.get(0), 999), T0, JobError.of(new Exception())));

    List<Boolean> applied = store.apply(transitions);

    assertThat(applied).hasSize(21).containsOnlyOnce(false).endsWith(false);
    assertThat(store.query(JobQuery.all().inStates(JobState.COMPLETED))).hasSize(20);
  }

  @Test
  void twoStoresRacingOnOneKeyAgreeOnTheFirstJob() throws Exception {
    try (JdbcJobRepository otherNode =
        JdbcJobRepository.builder().jdbcUrl(jdbcUrl()).tablePrefix(prefix).build()) {
      assertIdempotentAcrossStores(store, otherNode, 50);
    }
  }

  @Test
  void aClosedStoreRefusesWork() {
    store.close();
    store.close();

    assertThatThrownBy(() -> store.find(new JobId(UUID.randomUUID())))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  /**
   * Inserts {@code jobs} jobs and lets 8 threads, half on {@code a} and half on {@code b}, claim
   * {@code batch} at a time until none is left; every job must be claimed exactly once.
   */
  static void assertClaimedExactlyOnce(
      JdbcJobRepository a, JdbcJobRepository b, int jobs, int batch) throws Exception {
    List<NewJob> toInsert = new ArrayList<>();
    for (int i = 0; i < jobs; i++) {
      toInsert.add(job(null, i % 7, T0, T0.plusMillis(i)));
    }
    a.insert(toInsert);
    Map<JobId, String> claimedBy = new ConcurrentHashMap<>();
    List<JobId> duplicates = new java.util.concurrent.CopyOnWriteArrayList<>();
    ExecutorService threads = Executors.newFixedThreadPool(8);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        JdbcJobRepository store = t % 2 == 0 ? a : b;
        String node = "node-" + t;
        workers.add(
            threads.submit(
                () -> {
                  start.await();
                  List<StoredJob> claimed;
                  do {
                    claimed = store.claim(new ClaimRequest(node, TYPES, batch, T0, T0.plus(LEASE)));
                    for (StoredJob job : claimed) {
                      if (claimedBy.putIfAbsent(job.id(), node) != null) {
                        duplicates.add(job.id());
                      }
                    }
                  } while (!claimed.isEmpty());
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> worker : workers) {
        worker.get(60, TimeUnit.SECONDS);
      }
    } finally {
      threads.shutdownNow();
    }
    assertThat(duplicates).isEmpty();
    assertThat(claimedBy).hasSize(jobs);
    assertThat(a.query(JobQuery.all().inStates(JobState.REQUESTED))).isEmpty();
  }

  /**
   * For each of {@code keys} keys, one thread inserts a job with it through {@code a} while another
   * does through {@code b}; both must get the same id and exactly one must have created it.
   */
  static void assertIdempotentAcrossStores(JdbcJobRepository a, JdbcJobRepository b, int keys)
      throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      for (int k = 0; k < keys; k++) {
        String key = "race-" + k;
        CountDownLatch start = new CountDownLatch(1);
        Future<InsertResult> viaA =
            threads.submit(
                () -> {
                  start.await();
                  return a.insert(List.of(job(key, 0, T0, T0))).get(0);
                });
        Future<InsertResult> viaB =
            threads.submit(
                () -> {
                  start.await();
                  return b.insert(List.of(job(key, 0, T0, T0))).get(0);
                });
        start.countDown();
        InsertResult resultA = viaA.get(30, TimeUnit.SECONDS);
        InsertResult resultB = viaB.get(30, TimeUnit.SECONDS);
        assertThat(resultA.id()).as(key).isEqualTo(resultB.id());
        assertThat(resultA.created() ^ resultB.created()).as(key + " created once").isTrue();
      }
    } finally {
      threads.shutdownNow();
    }
    assertThat(a.query(JobQuery.all().limit(JobQuery.MAX_LIMIT))).hasSize(keys);
  }
}

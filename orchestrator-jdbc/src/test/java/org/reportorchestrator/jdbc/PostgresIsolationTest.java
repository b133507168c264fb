package org.reportorchestrator.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.reportorchestrator.JobId;
import org.reportorchestrator.JobQuery;
import org.reportorchestrator.JobState;
import org.reportorchestrator.ReportResult;
import org.reportorchestrator.StorageException;
import org.reportorchestrator.spi.ClaimRequest;
import org.reportorchestrator.spi.NewJob;
import org.reportorchestrator.spi.StoredJob;
import org.reportorchestrator.spi.Transition;

/**
 * The store pins READ COMMITTED whatever the pool's default: under REPEATABLE READ, concurrent
 * claims and completions fail with serialization errors that would each cost a retry.
 */
class PostgresIsolationTest {

  private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
  private static final String REPEATABLE_READ_BY_DEFAULT =
      "options=-c%20default_transaction_isolation%3Drepeatable%5C%20read";
  private static final int JOBS = 2_000;
  private static final int THREADS = 8;

  @Test
  void aHostPoolDefaultingToRepeatableReadCausesNoSerializationFailures() throws Exception {
    String prefix = TablePrefixes.unique();
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(TestPostgres.jdbcUrl());
    config.setMaximumPoolSize(THREADS);
    config.setTransactionIsolation("TRANSACTION_REPEATABLE_READ");
    try (HikariDataSource host = new HikariDataSource(config);
        JdbcJobRepository store =
            JdbcJobRepository.builder().dataSource(host).tablePrefix(prefix).build()) {
      assertThat(isolationOf(host)).isEqualTo(Connection.TRANSACTION_REPEATABLE_READ);

      assertEveryJobCompletesWithoutFailure(store);

      assertThat(isolationOf(host))
          .as("the host's connections go back with the host's own isolation")
          .isEqualTo(Connection.TRANSACTION_REPEATABLE_READ);
    } finally {
      TestPostgres.dropTables(prefix);
    }
  }

  @Test
  void aServerDefaultOfRepeatableReadCausesNoSerializationFailuresInTheStoresOwnPool()
      throws Exception {
    String prefix = TablePrefixes.unique();
    String url = TestPostgres.jdbcUrl();
    url += (url.contains("?") ? "&" : "?") + REPEATABLE_READ_BY_DEFAULT;
    try (JdbcJobRepository store =
        JdbcJobRepository.builder().jdbcUrl(url).tablePrefix(prefix).build()) {
      assertEveryJobCompletesWithoutFailure(store);
    } finally {
      TestPostgres.dropTables(prefix);
    }
  }

  private static int isolationOf(HikariDataSource pool) throws Exception {
    try (Connection connection = pool.getConnection()) {
      return connection.getTransactionIsolation();
    }
  }

  /** Eight threads claim five jobs at a time and complete each in its own write. */
  private static void assertEveryJobCompletesWithoutFailure(JdbcJobRepository store)
      throws Exception {
    List<NewJob> jobs = new ArrayList<>();
    for (int i = 0; i < JOBS; i++) {
      jobs.add(
          new NewJob(
              new JobId(UUID.randomUUID()),
              "sales",
              Map.of(),
              null,
              0,
              T0,
              1,
              Duration.ofMinutes(1),
              T0.plusMillis(i)));
    }
    store.insert(jobs);
    List<StorageException> failures = new CopyOnWriteArrayList<>();
    Map<JobId, Boolean> completed = new ConcurrentHashMap<>();
    AtomicInteger operations = new AtomicInteger();
    ExecutorService threads = Executors.newFixedThreadPool(THREADS);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        String node = "node-" + t;
        workers.add(
            threads.submit(
                () -> {
                  start.await();
                  while (completed.size() < JOBS && failures.size() < JOBS) {
                    List<StoredJob> claimed = List.of();
                    try {
                      operations.incrementAndGet();
                      claimed =
                          store.claim(
                              new ClaimRequest(
                                  node, Set.of("sales"), 5, T0, T0.plus(Duration.ofMinutes(5))));
                    } catch (StorageException e) {
                      failures.add(e);
                    }
                    if (claimed.isEmpty()
                        && store.query(JobQuery.all().inStates(JobState.REQUESTED)).isEmpty()) {
                      return null;
                    }
                    for (StoredJob job : claimed) {
                      try {
                        operations.incrementAndGet();
                        store.apply(
                            List.of(
                                Transition.completed(
                                    job.lease(), T0, ReportResult.ofText("done", "text/plain"))));
                        completed.put(job.id(), Boolean.TRUE);
                      } catch (StorageException e) {
                        failures.add(e);
                      }
                    }
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> worker : workers) {
        worker.get(120, TimeUnit.SECONDS);
      }
    } finally {
      threads.shutdownNow();
    }
    assertThat(failures)
        .as("%d of %d operations failed", failures.size(), operations.get())
        .isEmpty();
    assertThat(completed).hasSize(JOBS);
  }
}

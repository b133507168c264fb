package org.reportorchestrator.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.reportorchestrator.JobError;
import org.reportorchestrator.JobQuery;
import org.reportorchestrator.spi.NewJob;
import org.reportorchestrator.spi.StoredJob;
import org.reportorchestrator.spi.Transition;

/** On PostgreSQL one node purges at a time, in small batches that never wait. */
class PostgresPurgeTest {

  private static final Instant T0 = JdbcStoreBehaviourTest.T0;

  @Test
  void aPurgeReturnsZeroAtOnceWhileAnotherNodeHoldsThePurgeLock() throws Exception {
    try (PostgresNodes nodes = new PostgresNodes()) {
      JdbcJobRepository store = nodes.openStore();
      finishJobs(store, 20);
      try (Connection other = TestPostgres.dataSource().getConnection()) {
        other.setAutoCommit(false);
        try (PreparedStatement lock = other.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
          lock.setLong(1, store.purgeLockKey());
          lock.execute();
        }

        assertThat(store.purgeFinished(T0.plusSeconds(60), 100)).isZero();

        other.rollback();
      }
      assertThat(store.purgeFinished(T0.plusSeconds(60), 100)).isEqualTo(20);
    }
  }

  @Test
  void twoNodesPurgingTogetherDeleteEveryFinishedJobOnceBetweenThem() throws Exception {
    try (PostgresNodes nodes = new PostgresNodes()) {
      JdbcJobRepository a = nodes.openStore();
      JdbcJobRepository b = nodes.openStore();
      finishJobs(a, 1_000);
      ExecutorService threads = Executors.newFixedThreadPool(2);
      CountDownLatch start = new CountDownLatch(1);
      try {
        List<Future<Integer>> purgers = new ArrayList<>();
        for (JdbcJobRepository store : List.of(a, b)) {
          purgers.add(
              threads.submit(
                  () -> {
                    start.await();
                    int deleted = 0;
                    while (!store.query(JobQuery.all()).isEmpty()) {
                      deleted += store.purgeFinished(T0.plusSeconds(60), 50);
                    }
                    return deleted;
                  }));
        }
        start.countDown();
        int total = 0;
        for (Future<Integer> purger : purgers) {
          total += purger.get(60, TimeUnit.SECONDS);
        }
        assertThat(total).isEqualTo(1_000);
      } finally {
        threads.shutdownNow();
      }
    }
  }

  @Test
  void storesOnOtherTablesPurgeUnderOtherLocks() throws Exception {
    try (PostgresNodes one = new PostgresNodes();
        PostgresNodes other = new PostgresNodes()) {
      assertThat(one.openStore().purgeLockKey()).isNotEqualTo(other.openStore().purgeLockKey());
    }
  }

  private static void finishJobs(JdbcJobRepository store, int count) {
    List<NewJob> jobs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      jobs.add(JdbcStoreBehaviourTest.job());
    }
    store.insert(jobs);
    List<StoredJob> running = new ArrayList<>();
    while (running.size() < count) {
      List<StoredJob> claimed = JdbcStoreBehaviourTest.claimFrom(store, "node-a", 500, T0);
      running.addAll(claimed);
    }
    List<Transition> failures = new ArrayList<>();
    for (StoredJob job : running) {
      failures.add(Transition.failed(job.lease(), T0, new JobError("X", "gone", "trace")));
    }
    store.apply(failures);
  }
}

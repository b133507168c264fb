package org.reportorchestrator.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.reportorchestrator.DataRejectedException;
import org.reportorchestrator.JobQuery;
import org.reportorchestrator.spi.NewJob;

class PostgresStoreTest extends JdbcStoreBehaviourTest {

  @Override
  String jdbcUrl() {
    return TestPostgres.jdbcUrl();
  }

  @Override
  void dropTables(String tablePrefix) {
    TestPostgres.dropTables(tablePrefix);
  }

  @Test
  void aNulCharacterIsRejectedDataWithoutTheStatementInTheMessage() {
    String key = "secret\u0000key";

    assertThatThrownBy(() -> store.insert(List.of(job(key, 0, T0, T0))))
        .isInstanceOf(DataRejectedException.class)
        .hasMessageStartingWith("JDBC job store could not insert a job: ")
        .hasMessageNotContaining("INSERT")
        .hasMessageNotContaining("secret");
    assertThat(store.query(JobQuery.all())).isEmpty();
  }

  @Test
  void eightThreadsOnTwoNodesClaimFiveThousandJobsEachExactlyOnce() throws Exception {
    try (JdbcJobRepository otherNode =
        JdbcJobRepository.builder().jdbcUrl(jdbcUrl()).tablePrefix(prefix).build()) {
      assertClaimedExactlyOnce(store, otherNode, 5_000, 10);
    }
  }

  @Test
  void twoNodesRacingOnManyKeysAgreeOnEveryFirstJob() throws Exception {
    try (JdbcJobRepository otherNode =
        JdbcJobRepository.builder().jdbcUrl(jdbcUrl()).tablePrefix(prefix).build()) {
      assertIdempotentAcrossStores(store, otherNode, 300);
    }
  }

  @Test
  void nodesStartingTogetherApplyTheSchemaOnce() throws Exception {
    String fresh = TablePrefixes.unique();
    ExecutorService threads = Executors.newFixedThreadPool(6);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<JdbcJobRepository>> nodes = new ArrayList<>();
    try {
      for (int i = 0; i < 6; i++) {
        nodes.add(
            threads.submit(
                () -> {
                  start.await();
                  return JdbcJobRepository.builder()
                      .dataSource(TestPostgres.dataSource())
                      .tablePrefix(fresh)
                      .build();
                }));
      }
      start.countDown();
      for (Future<JdbcJobRepository> node : nodes) {
        node.get(30, TimeUnit.SECONDS).close();
      }
      int versions =
          Jdbi.create(TestPostgres.dataSource())
              .withHandle(
                  h ->
                      h.createQuery("SELECT COUNT(*) FROM " + fresh + "schema_version")
                          .mapTo(Integer.class)
                          .one());
      assertThat(versions).isEqualTo(SchemaMigrator.MIGRATIONS.size());
    } finally {
      threads.shutdownNow();
      TestPostgres.dropTables(fresh);
    }
  }

  @Test
  void aNewJobsTableIsAnalysedOnceTheStoreHasStoredAThousandJobs() {
    List<NewJob> batch = new ArrayList<>();
    for (int i = 1; i < JdbcJobRepository.ANALYSE_NEW_TABLE_AFTER; i++) {
      batch.add(job());
    }
    store.insert(batch);
    assertThat(analysed()).as("analysed before the thousandth job").isFalse();

    store.insert(List.of(job()));

    assertThat(analysed()).as("analysed after the thousandth job").isTrue();
  }

  /**
   * Whether the table has statistics: ANALYZE (or VACUUM) sets its row estimate, which is -1 until
   * then. Read from the catalog, which ANALYZE updates before it returns; autovacuum leaves a table
   * of 1,000 inserted rows alone (its analyse threshold is above that, V1).
   */
  private boolean analysed() {
    return Jdbi.create(TestPostgres.dataSource())
        .withHandle(
            h ->
                h.createQuery(
                        "SELECT reltuples >= 0 FROM pg_class WHERE oid = CAST(:table AS regclass)")
                    .bind("table", prefix + "jobs")
                    .mapTo(Boolean.class)
                    .one());
  }

  @Test
  void claimUsesThePartialIndexOfQueuedJobs() {
    String plan =
        Jdbi.create(TestPostgres.dataSource())
            .withHandle(
                h -> {
                  h.execute("SET enable_seqscan = off");
                  return String.join(
                      "\n",
                      h.createQuery(
                              "EXPLAIN SELECT id FROM "
                                  + prefix
                                  + "jobs WHERE state = 'REQUESTED'"
                                  + " AND run_at <= 0 AND report_type IN ('sales')"
                                  + " ORDER BY "
                                  + Statements.CLAIM_ORDER
                                  + " LIMIT 10")
                          .mapTo(String.class)
                          .list());
                });

    assertThat(plan).contains(prefix + "jobs_due_idx");
  }
}

package org.reportorchestrator.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Locale;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/**
 * H2 rewrites every index of the jobs table at each claim and outcome, whatever columns changed, so
 * the table keeps only the indexes a hot path or a uniqueness rule needs (schema version 7).
 */
class H2JobIndexesTest {

  @Test
  void theJobsTableKeepsOnlyTheKeyTheUniqueKeyTheDueAndTheListingIndexes() {
    String url = H2Databases.inMemoryUrl();
    String prefix = TablePrefixes.unique();
    // building the store migrates its tables to the newest version
    JdbcJobRepository store = JdbcJobRepository.builder().jdbcUrl(url).tablePrefix(prefix).build();
    try {
      List<String> indexes =
          Jdbi.create(url)
              .withHandle(
                  handle ->
                      handle
                          // lower-cased here, not by H2's LOWER, which follows the JVM's locale
                          .createQuery(
                              "SELECT INDEX_NAME FROM INFORMATION_SCHEMA.INDEXES"
                                  + " WHERE TABLE_NAME = :table AND INDEX_TYPE_NAME <> 'PRIMARY KEY'"
                                  + " ORDER BY INDEX_NAME")
                          .bind("table", (prefix + "jobs").toUpperCase(Locale.ROOT))
                          .mapTo(String.class)
                          .map(name -> name.toLowerCase(Locale.ROOT))
                          .list());
      assertThat(indexes)
          .containsExactly(
              prefix + "jobs_due_idx",
              prefix + "jobs_idempotency_key_uq",
              prefix + "jobs_state_created_idx");
    } finally {
      store.close();
    }
  }
}

package org.reportorchestrator.jdbc;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.reportorchestrator.JobState;

/**
 * The statements of one store, with its validated table prefix and its dialect's syntax. Built
 * once; named parameters use Jdbi's {@code :name} form and {@code <name>} for bound lists.
 */
final class Sql {

  static final String COLUMNS =
      "id, report_type, parameters, state, attempt, max_attempts, priority, idempotency_key,"
          + " timeout_ms, created_at, updated_at, started_at, finished_at, run_at,"
          + " progress_percent, progress_message, error_type, error_message, error_stack,"
          + " result_content_type, result_file_name, result_size, result_metadata, owner_node,"
          + " fencing_token, lease_expires_at, cancel_requested";

  /**
   * The claim's limit is written into the statement, not bound: PostgreSQL plans a bound limit
   * generically after a few executions and then scans the whole due index (1.5 s at a million due
   * rows, against 0.3 ms with the limit in the text).
   */
  private static final String LIMIT_PLACEHOLDER = "{limit}";

  private static final String TERMINAL = "('COMPLETED', 'FAILED', 'CANCELLED')";
  private static final String CLAIM_ORDER_COLUMNS = "priority, run_at, created_at, id";
  private static final String CLAIM_ORDER = "priority DESC, run_at, created_at, id";
  private static final String CLAIM_SET =
      " SET state = 'RUNNING', attempt = attempt + 1, fencing_token = fencing_token + 1,"
          + " owner_node = :node, started_at = :now, lease_expires_at = :leaseExpiresAt,"
          + " updated_at = :now, progress_percent = 0,"
          + " progress_message = NULL";

  final String jobs;
  final String results;

  final String insertJob;
  final String insertJobUnlessKeyTaken;
  final String selectIdsByKey;
  private final String claim;
  final String applyTransition;
  final String insertResult;
  final String extendLease;
  final String extendLeasesReturning;
  final String selectCancelRequested;
  final String updateProgress;
  final String cancelQueued;
  final String requestCancellation;
  final String findExpiredLeases;
  final String findById;
  final String openResult;

  /** PostgreSQL purges in one statement, H2 in three. */
  final @Nullable String purgeFinished;

  final @Nullable String selectPurgeable;
  final @Nullable String purgeResults;
  final @Nullable String purgeJobs;
  final String tryPurgeLock;

  private final JdbcJobRepository.Dialect dialect;

  Sql(JdbcJobRepository.Dialect dialect, String prefix) {
    this.dialect = dialect;
    jobs = prefix + "jobs";
    results = prefix + "job_results";
    String values =
        " ("
            + COLUMNS
            + ") VALUES (:id, :reportType, :parameters, 'REQUESTED', 0, :maxAttempts,"
            + " :priority, :idempotencyKey, :timeoutMs, :createdAt, :createdAt, NULL, NULL,"
            + " :runAt, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, FALSE)";
    insertJob = "INSERT INTO " + jobs + values;
    insertJobUnlessKeyTaken =
        "INSERT INTO "
            + jobs
            + values
            + " ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING";
    selectIdsByKey =
        "SELECT id, idempotency_key FROM " + jobs + " WHERE idempotency_key IN (<keys>)";

    if (dialect == JdbcJobRepository.Dialect.POSTGRESQL) {
      // For each of the node's types, the recursive part finds the priority levels that have
      // queued jobs, one index probe each (from the top: the highest level below the last). Each
      // level then yields its due jobs in order, locked as they are read, so that claims on other
      // nodes pass over them rather than wait. Jobs due later at a higher priority, or a mass of
      // jobs of other types, are never read. A claim may lock a few more rows than it takes (one
      // limit per level); the locks go with its commit.
      claim =
          "WITH RECURSIVE levels (report_type, priority) AS ("
              + " SELECT t.report_type, (SELECT max(q.priority) FROM "
              + jobs
              + " AS q WHERE q.state = 'REQUESTED' AND q.report_type = t.report_type)"
              + " FROM unnest(CAST(:reportTypes AS VARCHAR[])) AS t (report_type)"
              + " UNION ALL"
              + " SELECT l.report_type, (SELECT max(q.priority) FROM "
              + jobs
              + " AS q WHERE q.state = 'REQUESTED' AND q.report_type = l.report_type"
              + " AND q.priority < l.priority)"
              + " FROM levels AS l WHERE l.priority IS NOT NULL),"
              + " picked AS (SELECT due.id FROM levels AS l CROSS JOIN LATERAL (SELECT "
              + qualified("q", CLAIM_ORDER_COLUMNS)
              + " FROM "
              + jobs
              + " AS q WHERE q.state = 'REQUESTED' AND q.report_type = l.report_type"
              + " AND q.priority = l.priority AND q.run_at <= :now"
              + " ORDER BY q.run_at, q.created_at, q.id LIMIT "
              + LIMIT_PLACEHOLDER
              + " FOR UPDATE SKIP LOCKED) AS due ORDER BY "
              + qualified("due", CLAIM_ORDER)
              + " LIMIT "
              + LIMIT_PLACEHOLDER
              + ") UPDATE "
              + jobs
              + " AS j"
              + CLAIM_SET
              + " FROM picked WHERE j.id = picked.id RETURNING "
              + qualified("j", COLUMNS);
    } else {
      // H2 locks every matching row of a FOR UPDATE before it applies LIMIT, so SKIP LOCKED buys
      // nothing there. The update re-checks the state of each row it locks, so two claims that
      // pick the same row cannot both move it. H2 reads the due index in order only when the
      // ORDER BY starts with its leading column; state is constant here, so leading with it
      // changes nothing but the plan.
      claim =
          "SELECT "
              + COLUMNS
              + " FROM FINAL TABLE (UPDATE "
              + jobs
              + CLAIM_SET
              + " WHERE state = 'REQUESTED' AND id IN (SELECT id FROM "
              + jobs
              + " WHERE state = 'REQUESTED' AND run_at <= :now"
              + " AND report_type = ANY(:reportTypes) ORDER BY state, "
              + CLAIM_ORDER
              + " LIMIT "
              + LIMIT_PLACEHOLDER
              + "))";
    }

    applyTransition =
        "UPDATE "
            + jobs
            + " SET state = :to, updated_at = :at, finished_at = :finishedAt,"
            + " run_at = COALESCE(:nextRunAt, run_at), attempt = attempt - :refund,"
            + " owner_node = NULL, lease_expires_at = NULL,"
            + " cancel_requested = CASE WHEN :to = 'REQUESTED' THEN cancel_requested ELSE FALSE END,"
            + " error_type = CASE WHEN :setError THEN :errorType ELSE error_type END,"
            + " error_message = CASE WHEN :setError THEN :errorMessage ELSE error_message END,"
            + " error_stack = CASE WHEN :setError THEN :errorStack ELSE error_stack END,"
            + " progress_percent = CASE WHEN :completed THEN 100 ELSE progress_percent END,"
            + " result_content_type = :resultContentType, result_file_name = :resultFileName,"
            + " result_size = :resultSize, result_metadata = :resultMetadata"
            + " WHERE id = :id AND state = 'RUNNING' AND fencing_token = :token"
            + " AND (:anyLease OR lease_expires_at < :leaseExpiredBefore)";
    insertResult = "INSERT INTO " + results + " (job_id, content) VALUES (:id, :content)";

    extendLease =
        "UPDATE "
            + jobs
            + " SET lease_expires_at = :expiresAt"
            + " WHERE id = :id AND state = 'RUNNING' AND fencing_token = :token";
    // The rows are locked in id order, the order in which the writer's batches lock them, so that
    // a heartbeat and a batch of outcomes never deadlock.
    extendLeasesReturning =
        "WITH held AS (SELECT j.id FROM "
            + jobs
            + " AS j JOIN unnest(:ids, :tokens) AS lease(id, token)"
            + " ON j.id = lease.id AND j.fencing_token = lease.token"
            + " WHERE j.state = 'RUNNING' ORDER BY j.id FOR UPDATE OF j)"
            + " UPDATE "
            + jobs
            + " AS j SET lease_expires_at = :expiresAt FROM held WHERE j.id = held.id"
            + " RETURNING j.id, j.cancel_requested";
    selectCancelRequested =
        "SELECT id FROM " + jobs + " WHERE id IN (<ids>) AND cancel_requested = TRUE";

    updateProgress =
        "UPDATE "
            + jobs
            + " SET progress_percent = :percent, progress_message = :message,"
            + " updated_at = :now WHERE id = :id AND state = 'RUNNING' AND fencing_token = :token";
    cancelQueued =
        "UPDATE "
            + jobs
            + " SET state = 'CANCELLED', finished_at = :now, updated_at = :now"
            + " WHERE id = :id AND state = 'REQUESTED'";
    requestCancellation =
        "UPDATE "
            + jobs
            + " SET cancel_requested = TRUE, updated_at = :now"
            + " WHERE id = :id AND state = 'RUNNING'";
    findExpiredLeases =
        "SELECT "
            + COLUMNS
            + " FROM "
            + jobs
            + " WHERE state = 'RUNNING' AND lease_expires_at < :now"
            + " ORDER BY lease_expires_at, id LIMIT :limit";
    findById = "SELECT " + COLUMNS + " FROM " + jobs + " WHERE id = :id";
    openResult =
        "SELECT r.content FROM "
            + jobs
            + " j LEFT JOIN "
            + results
            + " r ON r.job_id = j.id"
            + " WHERE j.id = :id AND j.state = 'COMPLETED'";
    String purgeable =
        "SELECT id FROM "
            + jobs
            + " WHERE state IN "
            + TERMINAL
            + " AND finished_at < :before ORDER BY finished_at LIMIT :limit";
    if (dialect == JdbcJobRepository.Dialect.POSTGRESQL) {
      // Rows another transaction holds (a purge that overlaps, a late writer) are passed over
      // rather than waited for. The results go in the same statement, with no per-row cascade.
      purgeFinished =
          "WITH doomed AS ("
              + purgeable
              + " FOR UPDATE SKIP LOCKED), gone AS (DELETE FROM "
              + results
              + " WHERE job_id IN (SELECT id FROM doomed)) DELETE FROM "
              + jobs
              + " WHERE id IN (SELECT id FROM doomed)";
      selectPurgeable = null;
      purgeResults = null;
      purgeJobs = null;
    } else {
      // H2 has no data-modifying WITH: the ids are read first and both tables purged by them.
      purgeFinished = null;
      selectPurgeable = purgeable;
      purgeResults = "DELETE FROM " + results + " WHERE job_id IN (<ids>)";
      purgeJobs = "DELETE FROM " + jobs + " WHERE id IN (<ids>)";
    }
    tryPurgeLock = "SELECT pg_try_advisory_xact_lock(:key)";
  }

  /** The claim of at most {@code limit} due jobs. */
  String claim(int limit) {
    return claim.replace(LIMIT_PLACEHOLDER, Integer.toString(limit));
  }

  /**
   * A page of jobs, oldest first: one branch per state, each reading the index that leads with
   * {@code state} (or {@code report_type, state}) in listing order from the cursor and stopping
   * after a page, so no branch walks the rows of other states or types; the outer {@code ORDER BY
   * ... LIMIT} merges them. {@code states} is every state when the query has no state filter.
   * {@code :reportType} is present only when the query filters by type, {@code :afterCreatedAt} and
   * {@code :afterId} only when it has a cursor; the page size is {@code :limit} on PostgreSQL and
   * written in as {@code limit} on H2.
   */
  String query(Set<JobState> states, boolean byType, boolean afterCursor, int limit) {
    boolean h2 = dialect == JdbcJobRepository.Dialect.H2;
    // H2 2.3 keeps the first value bound to a LIMIT inside a UNION branch when it reuses the parsed
    // statement, so a later page size came back as the first one; a literal has no such memory.
    String pageSize = h2 ? Integer.toString(limit) : ":limit";
    List<String> branches = new ArrayList<>();
    for (JobState state : states) {
      StringBuilder branch = new StringBuilder("SELECT " + COLUMNS + " FROM " + jobs);
      if (h2) {
        // without statistics H2 takes the lease index, which also leads with state, and sorts
        // every row of the state
        branch.append(" USE INDEX (").append(jobs).append(byType ? "_type" : "");
        branch.append("_state_created_idx)");
      }
      // a literal, not a parameter: the planner then knows how many rows each state has, and a
      // generic plan cannot treat a handful of CANCELLED rows like a million COMPLETED ones
      branch.append(" WHERE state = '").append(state.name()).append('\'');
      if (byType) {
        branch.append(" AND report_type = :reportType");
      }
      if (afterCursor) {
        branch.append(
            h2
                // H2 reads an index range only for a bound on one column; the rest filters the
                // few rows that share the cursor's created_at
                ? " AND created_at >= :afterCreatedAt"
                    + " AND (created_at > :afterCreatedAt OR id > :afterId)"
                : " AND (created_at, id) > (:afterCreatedAt, :afterId)");
      }
      // H2 reads an index in order only when the ORDER BY starts with its leading columns; they
      // are constant within a branch, so leading with them changes nothing but the plan
      branch.append(" ORDER BY ").append(h2 ? (byType ? "report_type, state, " : "state, ") : "");
      branch.append("created_at, id LIMIT ").append(pageSize);
      branches.add(branch.toString());
    }
    if (branches.size() == 1) {
      return branches.get(0);
    }
    return "SELECT "
        + COLUMNS
        + " FROM ("
        + String.join(" UNION ALL ", branches.stream().map(b -> "(" + b + ")").toList())
        + ") AS page ORDER BY created_at, id LIMIT "
        + pageSize;
  }

  private static String qualified(String alias, String columns) {
    StringBuilder out = new StringBuilder();
    for (String column : columns.split(",")) {
      if (out.length() > 0) {
        out.append(", ");
      }
      out.append(alias).append('.').append(column.strip());
    }
    return out.toString();
  }
}

package org.reportorchestrator.jdbc;

import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.Query;
import org.reportorchestrator.JobState;
import org.reportorchestrator.spi.Lease;
import org.reportorchestrator.spi.LeaseExtension;

/**
 * H2's statements of one store. H2 has neither ON CONFLICT nor a data-modifying WITH, so the
 * idempotent insert, the heartbeat and the purge each take a few statements here. Immutable and
 * thread-safe.
 */
final class H2Statements extends Statements {

  /**
   * Serialises the claims of limited types across every H2 store of this JVM: H2 runs embedded, so
   * no other process claims from the same database. Held until the claim has committed.
   */
  private static final ReentrantLock RUNNING_LIMITS_LOCK = new ReentrantLock();

  private final String claim;
  private final String applyTransitionsAtOnce;
  private final String extendLease;
  private final String selectCancelRequested;
  private final String selectPurgeableByState;
  private final String purgeResults;
  private final String purgeJobs;

  H2Statements(String prefix) {
    super(prefix, HistorySql.H2, null);
    // H2 locks every matching row of a FOR UPDATE before it applies LIMIT, so SKIP LOCKED buys
    // nothing there. The merge locks each picked row and evaluates its ON condition again on the
    // row it locked, so two claims that pick the same row cannot both move it. A MERGE rather than
    // UPDATE ... WHERE id IN (subquery): H2 evaluates the subquery of an UPDATE's condition again
    // for every row it updates, a quarter of a claim's time. H2 reads the due index in order only
    // when the ORDER BY starts with its leading column; state is constant here, so leading with it
    // changes nothing but the plan.
    claim =
        "SELECT "
            + COLUMNS
            + " FROM FINAL TABLE (MERGE INTO "
            + jobs
            + " USING (SELECT id FROM "
            + jobs
            + " USE INDEX ("
            + jobs
            + "_due_idx) WHERE state = 'REQUESTED' AND run_at <= :now"
            + " AND report_type = ANY(:reportTypes) ORDER BY state, "
            + CLAIM_ORDER
            + " LIMIT "
            + LIMIT_PLACEHOLDER
            + ") AS picked ON "
            + jobs
            + ".id = picked.id AND "
            + jobs
            + ".state = 'REQUESTED' WHEN MATCHED THEN UPDATE"
            + claimSet
            + ")";
    // Many transitions in one statement: one array per parameter, unnested into rows, each joined
    // to its job by the key. The merge locks each job's row and evaluates the fence of its ON
    // condition again on the row it locked; a job that lost its lease matches nothing. One
    // statement instead of one per transition spares H2 a statement's start and end per row, and
    // the binding of every parameter per row. A merge updates a row at most once, so it takes
    // distinct jobs only.
    applyTransitionsAtOnce =
        "SELECT id FROM FINAL TABLE (MERGE INTO "
            + jobs
            + " USING (SELECT * FROM UNNEST("
            + TransitionParameters.ALL.stream()
                .map(p -> "CAST(:" + p.name() + " AS " + h2Type(p.sqlType()) + " ARRAY)")
                .collect(Collectors.joining(", "))
            + ")) AS t ("
            + TransitionParameters.ALL.stream()
                .map(p -> "p_" + p.name())
                .collect(Collectors.joining(", "))
            + ") ON "
            + jobs
            + ".id = t.p_id AND "
            + jobs
            + ".state = 'RUNNING' AND "
            + jobs
            + ".fencing_token = t.p_token AND (t.p_anyLease OR "
            + jobs
            + ".lease_expires_at < t.p_leaseExpiredBefore) WHEN MATCHED THEN UPDATE"
            + transitionSet(HistorySql.H2, name -> "t.p_" + name)
            + ")";
    extendLease =
        "UPDATE "
            + jobs
            + " SET lease_expires_at = :expiresAt"
            + " WHERE id = :id AND state = 'RUNNING' AND fencing_token = :token";
    selectCancelRequested =
        "SELECT id FROM " + jobs + " WHERE id IN (<ids>) AND cancel_requested = TRUE";
    // No index on finished_at (schema version 7): the terminal jobs are read in listing order,
    // which is about the order in which they finished, until enough have finished early enough.
    selectPurgeableByState =
        "SELECT id FROM "
            + jobs
            + " USE INDEX ("
            + jobs
            + "_state_created_idx) WHERE state IN "
            + TERMINAL_STATES
            + " AND finished_at < :before LIMIT :limit";
    // The ids were read without a lock, and an operator's retry may have taken a job back to the
    // queue since: both deletes check again that the job is still finished, and finished early
    // enough, so a retried job (and the result of its new run) stays.
    String stillPurgeable =
        " WHERE id IN (<ids>) AND state IN " + TERMINAL_STATES + " AND finished_at < :before";
    purgeResults =
        "DELETE FROM "
            + results
            + " WHERE job_id IN (SELECT id FROM "
            + jobs
            + stillPurgeable
            + ")";
    purgeJobs = "DELETE FROM " + jobs + stillPurgeable;
  }

  /** H2's name of a PostgreSQL type of {@link TransitionParameters}: H2 has no TEXT. */
  private static String h2Type(String sqlType) {
    return sqlType.equals("TEXT") ? "VARCHAR" : sqlType;
  }

  @Override
  String applyTransitionsAtOnce() {
    return applyTransitionsAtOnce;
  }

  /** The plain insert: {@link #insertSkipsTakenKeys()} is false, so the store looks keys up. */
  @Override
  String insertJob() {
    return insertJobAsGiven;
  }

  @Override
  boolean insertSkipsTakenKeys() {
    return false;
  }

  @Override
  String claimTemplate() {
    return claim;
  }

  /**
   * One JVM-wide lock around the whole transaction, commit included, so that the next claim of a
   * limited type counts what this one wrote.
   */
  @Override
  <T> T underRunningLimits(
      Connections connections,
      SortedSet<String> limitedTypes,
      HandleCallback<T, SQLException> claim) {
    RUNNING_LIMITS_LOCK.lock();
    try {
      return connections.inTransaction("claim jobs of limited types", claim);
    } finally {
      RUNNING_LIMITS_LOCK.unlock();
    }
  }

  /** A batch of fenced updates, then a read of the cancellation flags, in one transaction. */
  @Override
  Map<UUID, Boolean> extendLeases(Connections connections, LeaseExtension extension) {
    return connections.inTransaction(
        "extend leases",
        handle -> {
          PreparedBatch batch = handle.prepareBatch(extendLease);
          long expiresAt = EpochMicros.of(extension.expiresAt());
          for (Lease lease : extension.leases()) {
            batch
                .bind("id", lease.jobId().value())
                .bind("token", lease.fencingToken())
                .bind("expiresAt", expiresAt)
                .add();
          }
          int[] counts = batch.execute();
          Map<UUID, Boolean> extended = new HashMap<>();
          for (int i = 0; i < counts.length; i++) {
            if (counts[i] != 0) {
              extended.put(extension.leases().get(i).jobId().value(), Boolean.FALSE);
            }
          }
          if (!extended.isEmpty()) {
            handle
                .createQuery(selectCancelRequested)
                .bindList("ids", List.copyOf(extended.keySet()))
                .mapTo(UUID.class)
                .forEach(id -> extended.put(id, Boolean.TRUE));
          }
          return extended;
        });
  }

  /** Reads the ids first, then deletes the results and the jobs by them. */
  @Override
  int purgeFinished(Handle handle, long before, int limit) {
    List<UUID> ids =
        handle
            .createQuery(selectPurgeableByState)
            .bind("before", before)
            .bind("limit", limit)
            .mapTo(UUID.class)
            .list();
    if (ids.isEmpty()) {
      return 0;
    }
    return deletePurgeable(handle, ids, before);
  }

  /** Deletes those of {@code ids} that are still purgeable, with their results. */
  int deletePurgeable(Handle handle, List<UUID> ids, long before) {
    handle.createUpdate(purgeResults).bindList("ids", ids).bind("before", before).execute();
    return handle.createUpdate(purgeJobs).bindList("ids", ids).bind("before", before).execute();
  }

  /**
   * A literal: H2 2.3 keeps the first value bound to a LIMIT inside a UNION branch when it reuses
   * the parsed statement, so a later page size came back as the first one.
   */
  @Override
  String pageSize(int limit) {
    return Integer.toString(limit);
  }

  @Override
  void bindPageSize(Query select, int limit) {
    // written into the statement by pageSize
  }

  @Override
  String pageOfState(
      JobState state, boolean byType, boolean afterCursor, boolean newestFirst, String pageSize) {
    // Without statistics H2 may take the due index, which also leads with state, and sort every
    // row of the state. It reads an index range only for a bound on one column, so the rest of
    // the cursor filters the few rows that share its created_at. It reads an index in order only
    // when the ORDER BY starts with the index's leading column; state is constant within a
    // branch, so leading with it changes nothing but the plan. By type, the branch keeps the
    // type's jobs among those of its state: H2 has no index by type (schema version 7), so a page
    // of a rare type reads every job of the state.
    return "SELECT "
        + COLUMNS
        + " FROM "
        + jobs
        + " USE INDEX ("
        + jobs
        + "_state_created_idx)"
        + " WHERE state = "
        + literal(state)
        + (byType ? " AND report_type = :reportType" : "")
        + (afterCursor
            ? newestFirst
                ? " AND created_at <= :afterCreatedAt"
                    + " AND (created_at < :afterCreatedAt OR id < :afterId)"
                : " AND created_at >= :afterCreatedAt"
                    + " AND (created_at > :afterCreatedAt OR id > :afterId)"
            : "")
        + " ORDER BY "
        + (newestFirst ? "state DESC, created_at DESC, id DESC" : "state, created_at, id")
        + " LIMIT "
        + pageSize;
  }
}

package org.reportorchestrator.jdbc;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.statement.Query;
import org.jspecify.annotations.Nullable;
import org.reportorchestrator.JobState;
import org.reportorchestrator.spi.Lease;
import org.reportorchestrator.spi.LeaseExtension;

/** PostgreSQL's statements of one store. Immutable and thread-safe. */
final class PostgresStatements extends Statements {

  /** Whether a table has been analysed, by hand or by autovacuum, since its statistics began. */
  private static final String NEVER_ANALYSED =
      "SELECT last_analyze IS NULL AND last_autoanalyze IS NULL FROM pg_stat_user_tables"
          + " WHERE relid = CAST(:table AS regclass)";

  private static final String TRY_PURGE_LOCK = "SELECT pg_try_advisory_xact_lock(:key)";

  /** Waits for the lock; its own statement, so that later statements see what its holder wrote. */
  private static final String RUNNING_LOCK =
      "SELECT 1 FROM (SELECT pg_advisory_xact_lock(:key)) AS locked";

  private final String insertJobUnlessKeyTaken;
  private final String insertAndClaim;
  private final String claim;
  private final String extendLeasesReturning;
  private final String applyTransitionsAtOnce;

  /**
   * Held while this store runs the writer's many-row update or the heartbeat, the two statements
   * that lock many job rows of one node at once. The update locks its rows in whatever order its
   * plan reads them, so the two could otherwise each hold a row the other waits for (a deadlock
   * PostgreSQL breaks after a second by failing one of them). Locking in a fixed order within the
   * statement ({@code ORDER BY id FOR UPDATE}) cost 70 % more per row. Each statement takes all its
   * row locks before it ends, so a transaction that goes on after it waits for nothing the other
   * holds. Nodes in other processes touch each other's rows only when one rescues the other's
   * expired leases.
   */
  private final ReentrantLock rowLockingStatements = new ReentrantLock();

  private final String purgeFinished;
  private final long purgeLockKey;
  private final String prefix;

  /**
   * @param channel the channel every insert, requeue and cancellation request notifies on, or
   *     {@code null} for none
   */
  PostgresStatements(String prefix, @Nullable String channel) {
    super(prefix, HistorySql.POSTGRESQL, channel);
    insertJobUnlessKeyTaken =
        insertJobAsGiven
            + " ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING";
    // For each of the node's types, the recursive part finds the priority levels that have
    // queued jobs, one index probe each (from the top: the highest level below the last). Each
    // level then yields its due jobs in order, locked as they are read, so that claims on other
    // nodes pass over them rather than wait. Jobs due later at a higher priority, or a mass of
    // jobs of other types, are never read. A claim may lock a few more rows than it takes (one
    // limit per level); the locks go with its commit.
    // The types and the time are read through subqueries, which the planner cannot see into: a
    // custom plan then costs the same as the generic one, so PostgreSQL settles on the generic plan
    // after five executions instead of planning the statement anew on every claim (about 0.8 ms a
    // claim, a third of its cost in a drain).
    claim =
        priorityLevels("l.priority IS NOT NULL")
            + ", picked AS (SELECT due.id FROM levels AS l CROSS JOIN LATERAL (SELECT "
            + claimOrderColumns("q")
            + " FROM "
            + jobs
            + " AS q WHERE q.state = 'REQUESTED' AND q.report_type = l.report_type"
            + " AND q.priority = l.priority AND q.run_at <= (SELECT CAST(:now AS BIGINT))"
            + " ORDER BY "
            + claimOrderWithinPriority("q")
            + " LIMIT "
            + LIMIT_PLACEHOLDER
            + " FOR UPDATE SKIP LOCKED) AS due ORDER BY "
            + claimOrder("due")
            + " LIMIT "
            + LIMIT_PLACEHOLDER
            + ") UPDATE "
            + jobs
            + " AS j"
            + claimSet
            + " WHERE j.id = ANY (ARRAY(SELECT id FROM picked)) RETURNING "
            + qualified("j", COLUMNS);
    // The row is written as the insert writes it, then as the claim leaves it, unless a due job
    // would be claimed before it: claim order holds for a job that skips the queue, too. The look
    // for such a job walks the priority levels at or above the new job's, per type, from the top,
    // one probe of the due index each, as the claim does; a mass of jobs due later at a higher
    // priority is never read. A job stored claimed notifies no one: no other node could take it.
    // MATERIALIZED: inlined, the look would run once per column that asks whether it found a job.
    String queued = "CASE WHEN ahead.queued THEN ";
    insertAndClaim =
        priorityLevels("l.priority >= :priority")
            + ", ahead AS MATERIALIZED (SELECT EXISTS (SELECT 1 FROM levels AS l WHERE l.priority >= :priority"
            + " AND EXISTS (SELECT 1 FROM "
            + jobs
            + " AS q WHERE q.state = 'REQUESTED' AND q.report_type = l.report_type"
            + " AND q.priority = l.priority AND q.run_at <= (SELECT CAST(:now AS BIGINT))))"
            + " AS queued) INSERT INTO "
            + jobs
            + " ("
            + COLUMNS
            + ", history) SELECT :id, :reportType, :parameters, "
            + queued
            + "'REQUESTED' ELSE 'RUNNING' END, "
            + queued
            + "0 ELSE 1 END, :maxAttempts, :priority, :idempotencyKey, :timeoutMs, :createdAt, "
            + queued
            + "CAST(:createdAt AS BIGINT) ELSE CAST(:now AS BIGINT) END, "
            + queued
            + "NULL ELSE CAST(:now AS BIGINT) END, NULL, :runAt, 0, NULL, NULL, NULL, NULL, NULL,"
            + " NULL, NULL, NULL, "
            + queued
            + "NULL ELSE CAST(:node AS VARCHAR) END, "
            + queued
            + "0 ELSE 1 END, "
            + queued
            + "NULL ELSE CAST(:leaseExpiresAt AS BIGINT) END, "
            + queued
            + notifying(
                "FALSE", "'" + EventPayloads.SUBMITTED + "' || CAST(:reportType AS VARCHAR)")
            + " ELSE FALSE END, "
            + insertEntry(HistorySql.POSTGRESQL)
            + " || "
            + queued
            + "'' ELSE "
            + claimEntry(HistorySql.POSTGRESQL, "1")
            + " END FROM ahead RETURNING "
            + COLUMNS;
    // Many transitions in one statement: one array per parameter, unnested into rows. A join
    // updates a row once however many input rows match it, so this form takes distinct jobs only.
    // The plan, not the arrays, decides the order in which it locks the rows (a hash join locks
    // them in the table's order): see rowLockingStatements.
    applyTransitionsAtOnce =
        "UPDATE "
            + jobs
            + " AS j"
            + transitionSet(HistorySql.POSTGRESQL, name -> "t.p_" + name)
            + " FROM unnest("
            + TransitionParameters.ALL.stream()
                .map(p -> "CAST(:" + p.name() + " AS " + p.sqlType() + "[])")
                .collect(Collectors.joining(", "))
            + ") AS t ("
            + TransitionParameters.ALL.stream()
                .map(p -> "p_" + p.name())
                .collect(Collectors.joining(", "))
            + ") WHERE j.id = t.p_id AND j.state = 'RUNNING' AND j.fencing_token = t.p_token"
            + " AND (t.p_anyLease OR j.lease_expires_at < t.p_leaseExpiredBefore)"
            + " RETURNING j.id";
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
    // Rows another transaction holds (a purge that overlaps, a late writer) are passed over
    // rather than waited for. The results go in the same statement, with no per-row cascade.
    purgeFinished =
        "WITH doomed AS ("
            + selectPurgeable
            + " FOR UPDATE SKIP LOCKED), gone AS (DELETE FROM "
            + results
            + " WHERE job_id IN (SELECT id FROM doomed)) DELETE FROM "
            + jobs
            + " WHERE id IN (SELECT id FROM doomed)";
    purgeLockKey = purgeLockKey(prefix);
    this.prefix = prefix;
  }

  /**
   * The advisory lock key of a store's purge: a 64-bit FNV-1a hash of a fixed name and the table
   * prefix, so stores on other tables of one database purge independently.
   */
  static long purgeLockKey(String tablePrefix) {
    return fnv1a("org.reportorchestrator.purge:" + tablePrefix);
  }

  /**
   * The advisory lock key that serialises the claims of one report type with a running limit: a
   * 64-bit FNV-1a hash of a fixed name, the table prefix and the type. A prefix holds no colon, so
   * no two (prefix, type) pairs make the same name; two types whose keys collide merely wait for
   * each other's claims.
   */
  static long runningLockKey(String tablePrefix, String reportType) {
    return fnv1a("org.reportorchestrator.running:" + tablePrefix + ":" + reportType);
  }

  private static long fnv1a(String name) {
    long hash = 0xcbf29ce484222325L;
    for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
      hash ^= b & 0xff;
      hash *= 0x100000001b3L;
    }
    return hash;
  }

  /**
   * One transaction that first waits for a transaction-scoped advisory lock per limited type
   * ({@code pg_advisory_xact_lock}, keys from {@link #runningLockKey}); the locks go with the
   * commit. Each lock is its own statement, before the count: in READ COMMITTED every statement
   * reads a snapshot taken when it starts, so a count in the statement that waits for the lock
   * would miss what the previous holder committed.
   */
  @Override
  <T> T underRunningLimits(
      Connections connections,
      SortedSet<String> limitedTypes,
      HandleCallback<T, SQLException> claim) {
    return connections.inTransaction(
        "claim jobs of limited types",
        handle -> {
          for (String type : limitedTypes) {
            handle
                .createQuery(RUNNING_LOCK)
                .bind("key", runningLockKey(prefix, type))
                .mapTo(Integer.class)
                .one();
          }
          return claim.withHandle(handle);
        });
  }

  /**
   * The recursive part of the claim and of the insert that claims: per type of {@code
   * :reportTypes}, the priority levels that have queued jobs, from the highest down, one probe of
   * the due index each, descending while {@code descendWhile} holds of the level {@code l} reached.
   */
  private String priorityLevels(String descendWhile) {
    return "WITH RECURSIVE levels (report_type, priority) AS ("
        + " SELECT t.report_type, (SELECT max(q.priority) FROM "
        + jobs
        + " AS q WHERE q.state = 'REQUESTED' AND q.report_type = t.report_type)"
        + " FROM unnest((SELECT CAST(:reportTypes AS VARCHAR[]))) AS t (report_type)"
        + " UNION ALL"
        + " SELECT l.report_type, (SELECT max(q.priority) FROM "
        + jobs
        + " AS q WHERE q.state = 'REQUESTED' AND q.report_type = l.report_type"
        + " AND q.priority < l.priority)"
        + " FROM levels AS l WHERE "
        + descendWhile
        + ")";
  }

  @Override
  String insertJob() {
    return insertJobUnlessKeyTaken;
  }

  @Override
  String insertAndClaim() {
    return insertAndClaim;
  }

  @Override
  boolean insertSkipsTakenKeys() {
    return true;
  }

  @Override
  String claimTemplate() {
    return claim;
  }

  @Override
  String applyTransitionsAtOnce() {
    return applyTransitionsAtOnce;
  }

  /** Under {@link #rowLockingStatements}: the plan decides the order it locks rows in. */
  @Override
  Set<UUID> appliedAtOnce(Query update) {
    rowLockingStatements.lock();
    try {
      return super.appliedAtOnce(update);
    } finally {
      rowLockingStatements.unlock();
    }
  }

  /**
   * Autovacuum looks at a table at most once a minute ({@code autovacuum_naptime}). Until it has
   * analysed a new jobs table, the planner guesses its contents, and then it may read a claim's due
   * jobs through the listing index of their type, which is smaller than the due index, and sort
   * them: in the first seconds of a new table that made claims about 20 times slower. A table that
   * the caller may not analyse is left to autovacuum (PostgreSQL warns and skips it).
   */
  @Override
  void analyseIfNeverAnalysed(Handle handle) {
    boolean never =
        handle
            .createQuery(NEVER_ANALYSED)
            .bind("table", jobs)
            .mapTo(Boolean.class)
            .findOne()
            .orElse(false);
    if (never) {
      handle.execute("ANALYZE " + jobs);
    }
  }

  /** One statement, in autocommit: it locks, updates and reports every lease at once. */
  @Override
  Map<UUID, Boolean> extendLeases(Connections connections, LeaseExtension extension) {
    List<UUID> ids = new ArrayList<>();
    List<Long> tokens = new ArrayList<>();
    for (Lease lease : extension.leases()) {
      ids.add(lease.jobId().value());
      tokens.add(lease.fencingToken());
    }
    return connections.withHandle(
        "extend leases",
        handle -> {
          rowLockingStatements.lock();
          try {
            return extendLeases(handle, extension.expiresAt(), ids, tokens);
          } finally {
            rowLockingStatements.unlock();
          }
        });
  }

  private Map<UUID, Boolean> extendLeases(
      Handle handle, Instant expiresAt, List<UUID> ids, List<Long> tokens) {
    Map<UUID, Boolean> extended = new HashMap<>();
    handle
        .createQuery(extendLeasesReturning)
        .bind("expiresAt", EpochMicros.of(expiresAt))
        .bindArray("ids", UUID.class, ids)
        .bindArray("tokens", Long.class, tokens)
        .map((rs, ctx) -> Map.entry(rs.getObject(1, UUID.class), rs.getBoolean(2)))
        .forEach(entry -> extended.put(entry.getKey(), entry.getValue()));
    return extended;
  }

  /**
   * One node purges at a time: the transaction first takes a transaction-scoped advisory lock and
   * deletes nothing if another node holds it; the lock goes with the commit. Then one statement.
   */
  @Override
  int purgeFinished(Handle handle, long before, int limit) {
    boolean ours =
        handle.createQuery(TRY_PURGE_LOCK).bind("key", purgeLockKey).mapTo(Boolean.class).one();
    if (!ours) {
      return 0;
    }
    return handle.createUpdate(purgeFinished).bind("before", before).bind("limit", limit).execute();
  }

  @Override
  String pageSize(int limit) {
    return ":limit";
  }

  @Override
  void bindPageSize(Query select, int limit) {
    select.bind("limit", limit);
  }

  @Override
  String pageOfState(
      JobState state, boolean byType, boolean afterCursor, boolean newestFirst, String pageSize) {
    return "SELECT "
        + COLUMNS
        + " FROM "
        + jobs
        + " WHERE state = "
        + literal(state)
        + (byType ? " AND report_type = :reportType" : "")
        + (afterCursor
            ? " AND (created_at, id) " + (newestFirst ? "<" : ">") + " (:afterCreatedAt, :afterId)"
            : "")
        + " ORDER BY "
        + (newestFirst ? "created_at DESC, id DESC" : "created_at, id")
        + " LIMIT "
        + pageSize;
  }
}

package org.reportorchestrator.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.SqlStatement;
import org.jspecify.annotations.Nullable;
import org.reportorchestrator.JobCursor;
import org.reportorchestrator.JobHistoryEntry;
import org.reportorchestrator.JobId;
import org.reportorchestrator.JobQuery;
import org.reportorchestrator.JobState;
import org.reportorchestrator.ResultTooLargeException;
import org.reportorchestrator.StorageException;
import org.reportorchestrator.spi.ClaimRequest;
import org.reportorchestrator.spi.EnqueueTransaction;
import org.reportorchestrator.spi.HeartbeatResult;
import org.reportorchestrator.spi.InsertResult;
import org.reportorchestrator.spi.JobEventFeed;
import org.reportorchestrator.spi.JobRepository;
import org.reportorchestrator.spi.JobStatistics;
import org.reportorchestrator.spi.Lease;
import org.reportorchestrator.spi.LeaseExtension;
import org.reportorchestrator.spi.NewJob;
import org.reportorchestrator.spi.ProgressUpdate;
import org.reportorchestrator.spi.ScheduleFiring;
import org.reportorchestrator.spi.ScheduleRepository;
import org.reportorchestrator.spi.StoredJob;
import org.reportorchestrator.spi.StoredSchedule;
import org.reportorchestrator.spi.Transition;
import org.reportorchestrator.spi.TypeStatistics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link JobRepository} on PostgreSQL or H2 through Jdbi and a JDBC {@link DataSource}.
 * Thread-safe; build one per database and share it.
 *
 * <pre>{@code
 * JdbcJobRepository store = JdbcJobRepository.builder()
 *     .jdbcUrl("jdbc:postgresql://db/app").username("app").password(secret)
 *     .build();
 * }</pre>
 *
 * <p>Given a host {@link DataSource}, the store borrows connections from it and never closes it;
 * given a JDBC URL or a {@link HikariConfig}, it builds a HikariCP pool that {@link #close()}
 * closes. The database is recognised from the connection's metadata. Unless {@link
 * Builder#createSchema(boolean) createSchema(false)}, {@link Builder#build()} creates or upgrades
 * the tables; the DDL is in the jar at {@code org/reportorchestrator/jdbc/schema/<dialect>/} and
 * {@link #schemaSql(Dialect, String)} returns it ready to run.
 *
 * <p>Every instant is stored as microseconds since the epoch, so what reads back is what was
 * written truncated to the microsecond. The store never reads a clock: each call carries core's
 * {@code now}. Lease expiry therefore compares instants written by different nodes' clocks, and
 * those clocks must agree (NTP) to well within the lease length.
 *
 * <p>Every statement runs under READ COMMITTED, whatever the pool's or the server's default. An
 * embedded H2 file URL the store builds its pool from gets {@code WRITE_DELAY=0} and {@code
 * DB_CLOSE_ON_EXIT=FALSE} unless it names them, so that a job is on file once submit returns and
 * the database stays open until {@link #close()}.
 *
 * <p>Every failure to reach or use the database surfaces as {@link StorageException} with the
 * driver's exception as its cause; when the database refused the data itself (a value too long, a
 * character it cannot hold, a violated constraint) it is a {@link
 * org.reportorchestrator.DataRejectedException}, which core does not retry.
 */
public final class JdbcJobRepository implements JobRepository, ScheduleRepository, AutoCloseable {

  /** The databases this store speaks. */
  public enum Dialect {
    H2("h2"),
    POSTGRESQL("postgresql");

    private final String resourceFolder;

    Dialect(String resourceFolder) {
      this.resourceFolder = resourceFolder;
    }

    /** The folder under {@code org/reportorchestrator/jdbc/schema/} that holds its DDL. */
    public String resourceFolder() {
      return resourceFolder;
    }

    static Dialect of(String databaseProductName) {
      String name = databaseProductName.toLowerCase(Locale.ROOT);
      if (name.equals("h2")) {
        return H2;
      }
      if (name.equals("postgresql")) {
        return POSTGRESQL;
      }
      throw new IllegalArgumentException(
          "dataSource: database '"
              + databaseProductName
              + "' is not supported; orchestrator-jdbc supports PostgreSQL and H2");
    }
  }

  /** The table prefix unless {@link Builder#tablePrefix(String)} sets another. */
  public static final String DEFAULT_TABLE_PREFIX = "orchestrator_";

  /** The largest result stored unless {@link Builder#maxResultBytes(long)} sets another: 16 MiB. */
  public static final long DEFAULT_MAX_RESULT_BYTES = 16L * 1024 * 1024;

  private static final Logger LOG = LoggerFactory.getLogger(JdbcJobRepository.class);
  private static final Pattern SQL_IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,40}");
  private static final int MAX_KEYS_PER_SELECT = 1_000;
  private static final int INSERT_ATTEMPTS = 3;

  /** How many jobs a store inserts before it makes sure the jobs table has statistics. */
  static final int ANALYSE_NEW_TABLE_AFTER = 1_000;

  /**
   * The schema of the store's jobs table as the search path finds it, or the current schema if the
   * table is not there yet (a host that creates it later).
   */
  private static final String SCHEMA_OF_TABLE =
      "SELECT COALESCE((SELECT n.nspname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n"
          + " ON n.oid = c.relnamespace WHERE c.oid = to_regclass(:table)), current_schema(), '')";

  /** The greatest UUID in the databases' unsigned order. */
  private static final UUID LAST_UUID = new UUID(-1L, -1L);

  private final Connections connections;
  private final Dialect dialect;
  private final String tablePrefix;
  private final Statements statements;
  private final long maxResultBytes;
  private final CallerConnections callerConnections = new CallerConnections();
  private final AtomicLong insertedBeforeStatisticsCheck = new AtomicLong();
  private final AtomicBoolean statisticsChecked = new AtomicBoolean();
  private final JdbcSchedules schedules;

  /** Opens the connection an event feed listens on; null where the store has no feed. */
  private final @Nullable ListeningConnections listening;

  /** When the feed checks its connection; see {@link PostgresEventFeed}. */
  private final Duration feedQuiet;

  private final Duration feedProbeTimeout;

  private JdbcJobRepository(
      Connections connections,
      Dialect dialect,
      String tablePrefix,
      long maxResultBytes,
      @Nullable String channel,
      @Nullable ListeningConnections listening,
      Duration feedQuiet,
      Duration feedProbeTimeout) {
    this.connections = connections;
    this.dialect = dialect;
    this.tablePrefix = tablePrefix;
    this.statements = Statements.of(dialect, tablePrefix, channel);
    this.maxResultBytes = maxResultBytes;
    this.schedules = new JdbcSchedules(connections, tablePrefix, this::insertAll);
    this.listening = listening;
    this.feedQuiet = feedQuiet;
    this.feedProbeTimeout = feedProbeTimeout;
  }

  /** Where a PostgreSQL store's event feed gets its connection. */
  @FunctionalInterface
  private interface ListeningConnections {
    Connection open() throws SQLException;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * The DDL this version of the store expects, every migration in order, with {@code tablePrefix}
   * filled in: for teams that apply schema changes themselves and build with {@code
   * createSchema(false)}. It does not create the store's own {@code schema_version} table.
   *
   * @throws IllegalArgumentException if {@code tablePrefix} is not a plain SQL identifier
   */
  public static String schemaSql(Dialect dialect, String tablePrefix) {
    Objects.requireNonNull(dialect, "dialect");
    String prefix = validTablePrefix(tablePrefix);
    StringBuilder ddl = new StringBuilder();
    for (String script : SchemaMigrator.MIGRATIONS) {
      ddl.append(SchemaMigrator.script(dialect, script, prefix)).append('\n');
    }
    return ddl.toString();
  }

  /** The largest result this store keeps; see {@link Builder#maxResultBytes(long)}. */
  @Override
  public long maxResultBytes() {
    return maxResultBytes;
  }

  /**
   * {@inheritDoc}
   *
   * <p>On PostgreSQL, unless {@link Builder#notifications(boolean) notifications(false)}: every
   * insert, operator's retry and cancellation request sends a notification ({@code pg_notify}) on a
   * channel named after the table prefix and the schema, in the transaction of its write, and the
   * feed {@code LISTEN}s on a connection of its own: a new connection from the JDBC URL if the
   * store was given {@link Builder#jdbcUrl(String)}, or else one borrowed from the pool built from
   * {@link Builder#hikariConfig} (or the host's data source) and held while the feed is open. H2
   * has no feed.
   *
   * @throws StorageException if the listening connection cannot be opened
   */
  @Override
  public Optional<JobEventFeed> openEventFeed() {
    ListeningConnections source = listening;
    String channel = statements.channel;
    if (source == null || channel == null) {
      return Optional.empty();
    }
    connections.checkOpen();
    try {
      return Optional.of(
          PostgresEventFeed.listen(source.open(), channel, feedQuiet, feedProbeTimeout));
    } catch (SQLException e) {
      throw Connections.failure("listen for notifications on channel " + channel, e);
    }
  }

  /** The channel this store notifies on, {@code null} if it does not; for tests. */
  @Nullable String eventChannel() {
    return statements.channel;
  }

  /** The database this store was built against. */
  public Dialect dialect() {
    return dialect;
  }

  /** The prefix of every table and index name of this store. */
  public String tablePrefix() {
    return tablePrefix;
  }

  @Override
  public List<InsertResult> insert(List<NewJob> jobs) {
    if (jobs.isEmpty()) {
      return List.of();
    }
    for (int attempt = 1; ; attempt++) {
      try {
        // One job is one statement (plus a read of the key's holder): autocommit spares the
        // round trip of a COMMIT. Several jobs are stored all or none, in one transaction.
        List<InsertResult> results =
            jobs.size() == 1
                ? connections.withHandle("insert a job", handle -> insertAll(handle, jobs))
                : connections.inTransaction("insert jobs", handle -> insertAll(handle, jobs));
        checkStatisticsOnce(jobs.size());
        return results;
      } catch (StorageException e) {
        // Without ON CONFLICT (H2) a job with the same key committed between our look-up and our
        // insert fails the batch, and the whole unit is retried against the now visible key.
        if (statements.insertSkipsTakenKeys()
            || attempt >= INSERT_ATTEMPTS
            || !SqlFailures.isUniqueViolation(e)) {
          throw e;
        }
      }
    }
  }

  private static <S extends SqlStatement<S>> S bindJob(S statement, NewJob job) {
    return statement
        .bind("id", job.id().value())
        .bind("reportType", job.reportType())
        .bind("parameters", JsonText.write(job.parameters()))
        .bind("maxAttempts", job.maxAttempts())
        .bind("priority", job.priority())
        .bind("idempotencyKey", job.idempotencyKey())
        .bind("timeoutMs", job.timeout().toMillis())
        .bind("createdAt", EpochMicros.of(job.createdAt()))
        .bind("runAt", EpochMicros.of(job.runAt()));
  }

  /**
   * {@inheritDoc}
   *
   * <p>On PostgreSQL one statement in autocommit; on H2, and for a job with an idempotency key, the
   * job is inserted queued as {@link #insert} does.
   */
  @Override
  public Optional<StoredJob> insertAndClaim(NewJob job, ClaimRequest request) {
    Objects.requireNonNull(job, "job");
    Objects.requireNonNull(request, "request");
    String statement = statements.insertAndClaim();
    if (statement == null || job.idempotencyKey() != null) {
      insert(List.of(job));
      return Optional.empty();
    }
    StoredJob stored =
        connections.withHandle(
            "insert a job",
            handle ->
                bindJob(handle.createQuery(statement), job)
                    .bind("node", request.nodeId())
                    .bind("now", EpochMicros.of(request.now()))
                    .bind("leaseExpiresAt", EpochMicros.of(request.leaseExpiresAt()))
                    .bindArray("reportTypes", String.class, request.reportTypes().toArray())
                    .map(StoredJobMapper.INSTANCE)
                    .one());
    checkStatisticsOnce(1);
    return stored.state() == JobState.RUNNING ? Optional.of(stored) : Optional.empty();
  }

  /**
   * Once this store has inserted {@link #ANALYSE_NEW_TABLE_AFTER} jobs, it has the jobs table
   * analysed if it never was (see {@link Statements#analyseIfNeverAnalysed}). The jobs are stored
   * by then: a failure here is the planner's loss, not the caller's, and is only logged.
   */
  private void checkStatisticsOnce(int inserted) {
    if (statisticsChecked.get()
        || insertedBeforeStatisticsCheck.addAndGet(inserted) < ANALYSE_NEW_TABLE_AFTER
        || !statisticsChecked.compareAndSet(false, true)) {
      return;
    }
    try {
      connections.withHandle(
          "analyse the jobs table",
          handle -> {
            statements.analyseIfNeverAnalysed(handle);
            return null;
          });
    } catch (StorageException e) {
      LOG.warn("Could not analyse the jobs table; autovacuum will: {}", e.getMessage());
    }
  }

  /**
   * Joins the host's open transaction on {@code connection}, for {@code
   * ReportOrchestrator.submit(request, transaction)}: the jobs are inserted with the same
   * statements as {@link #insert(List)} (the same tables, history entry and idempotency), become
   * claimable when the host commits, and vanish if it rolls back. The store never commits, rolls
   * back or closes the connection, and leaves its isolation level alone: it expects READ COMMITTED,
   * the default of both databases (under a stricter level an idempotency key that another
   * transaction takes meanwhile fails the insert with a serialization error).
   *
   * <p>{@code afterCommit} is how the host runs code once its transaction has committed, and never
   * after a rollback: a plain JDBC host collects the actions and runs them after {@code
   * connection.commit()}; a Spring host registers each with {@code
   * TransactionSynchronizationManager.registerSynchronization(...)} in {@code afterCommit()}.
   *
   * <p>The connection must reach the database and tables of this store (a different schema is not
   * detected). After a failed insert, roll the transaction back: on PostgreSQL it cannot go on.
   *
   * @throws IllegalArgumentException if the connection is in autocommit mode (the insert would
   *     commit on its own), is closed, or is to another kind of database than this store's
   * @throws IllegalStateException if this store is closed
   */
  public EnqueueTransaction transaction(Connection connection, Consumer<Runnable> afterCommit) {
    Objects.requireNonNull(connection, "connection");
    Objects.requireNonNull(afterCommit, "afterCommit");
    connections.checkOpen();
    requireJoinable(connection);
    return new CallerTransaction(this, connection, afterCommit);
  }

  /**
   * Joins the transaction a Jdbi {@code handle} has open, as {@link #transaction(Connection,
   * Consumer)} does, and runs the after-commit actions with {@link Handle#afterCommit(Runnable)}:
   * they run when the transaction is committed through Jdbi ({@code handle.commit()}, or the end of
   * {@code jdbi.inTransaction(...)}), not on a commit of the bare JDBC connection. The store's
   * statements run on the handle's connection with the store's own Jdbi settings, not the host's.
   *
   * @throws IllegalArgumentException if the handle is not in a transaction, or is to another kind
   *     of database than this store's
   */
  public EnqueueTransaction transaction(Handle handle) {
    Objects.requireNonNull(handle, "handle");
    connections.checkOpen();
    requireJoinable(handle.getConnection());
    return new CallerTransaction(this, handle.getConnection(), handle::afterCommit);
  }

  private void requireJoinable(Connection connection) {
    try {
      if (connection.isClosed()) {
        throw new IllegalArgumentException("connection is closed");
      }
      if (connection.getAutoCommit()) {
        throw new IllegalArgumentException(
            "connection is in autocommit mode, so the job would be committed on its own, apart"
                + " from the rest of the transaction; call setAutoCommit(false) first and commit"
                + " (or roll back) yourself");
      }
      String product = connection.getMetaData().getDatabaseProductName();
      if (!product.equalsIgnoreCase(dialect.resourceFolder())) {
        throw new IllegalArgumentException(
            "connection is to " + product + " but this store's database is " + dialect);
      }
    } catch (SQLException e) {
      throw Connections.failure("use the caller's connection", e);
    }
  }

  /**
   * The insert of {@link #insert(List)}, run on the host's connection inside its transaction. On
   * H2, which has no ON CONFLICT, a key that another transaction committed after the look-up fails
   * the batch with a unique violation; H2 then keeps the rest of the transaction, so the batch is
   * undone to a savepoint and tried again against the now visible key. On PostgreSQL the insert
   * skips taken keys and never fails on one, which matters: any error there would abort the host's
   * whole transaction.
   */
  List<InsertResult> insertInto(Connection connection, List<NewJob> jobs) {
    connections.checkOpen();
    requireJoinable(connection);
    if (jobs.isEmpty()) {
      return List.of();
    }
    boolean retryOnTakenKey =
        !statements.insertSkipsTakenKeys()
            && jobs.stream().anyMatch(job -> job.idempotencyKey() != null);
    try (Handle handle = callerConnections.open(connection)) {
      if (!retryOnTakenKey) {
        return insertAll(handle, jobs);
      }
      for (int attempt = 1; ; attempt++) {
        Savepoint beforeInsert = connection.setSavepoint();
        try {
          List<InsertResult> results = insertAll(handle, jobs);
          connection.releaseSavepoint(beforeInsert);
          return results;
        } catch (JdbiException e) {
          connection.rollback(beforeInsert);
          if (attempt >= INSERT_ATTEMPTS || !SqlFailures.isUniqueViolation(e)) {
            throw e;
          }
        }
      }
    } catch (JdbiException | SQLException e) {
      throw Connections.failure("insert jobs in the caller's transaction", e);
    }
  }

  /** {@inheritDoc} In one transaction: the schedule's row is read {@code FOR UPDATE}. */
  @Override
  public StoredSchedule upsertSchedule(StoredSchedule proposed) {
    Objects.requireNonNull(proposed, "proposed");
    return schedules.upsert(proposed);
  }

  @Override
  public List<StoredSchedule> schedules() {
    return schedules.all();
  }

  @Override
  public Optional<StoredSchedule> findSchedule(String name) {
    Objects.requireNonNull(name, "name");
    return schedules.find(name);
  }

  @Override
  public List<StoredSchedule> dueSchedules(Instant now, Set<String> reportTypes, int limit) {
    Objects.requireNonNull(now, "now");
    if (reportTypes.isEmpty()) {
      return List.of();
    }
    return schedules.due(now, reportTypes, limit);
  }

  /**
   * {@inheritDoc}
   *
   * <p>One transaction: {@code UPDATE ... SET next_fire_at = :next WHERE name = :name AND
   * next_fire_at = :fireAt AND NOT paused}, then the job's insert; the job's idempotency key,
   * unique in the jobs table, is the second guard.
   */
  @Override
  public FireResult fire(ScheduleFiring firing) {
    Objects.requireNonNull(firing, "firing");
    return schedules.fire(firing);
  }

  @Override
  public boolean pauseSchedule(String name, Instant now) {
    Objects.requireNonNull(name, "name");
    return schedules.pause(name, now);
  }

  @Override
  public boolean resumeSchedule(String name, Instant nextFireAt, Instant now) {
    Objects.requireNonNull(name, "name");
    return schedules.resume(name, nextFireAt, now);
  }

  @Override
  public boolean removeSchedule(String name) {
    Objects.requireNonNull(name, "name");
    return schedules.remove(name);
  }

  private List<InsertResult> insertAll(Handle handle, List<NewJob> jobs) {
    Set<String> keys = new LinkedHashSet<>();
    List<Integer> toInsert = new ArrayList<>();
    for (int i = 0; i < jobs.size(); i++) {
      String key = jobs.get(i).idempotencyKey();
      if (key == null || keys.add(key)) {
        toInsert.add(i);
      }
    }
    if (!statements.insertSkipsTakenKeys() && !keys.isEmpty()) {
      Map<String, UUID> taken = idsByKey(handle, keys);
      toInsert.removeIf(i -> taken.containsKey(jobs.get(i).idempotencyKey()));
    }
    Set<Integer> created = new HashSet<>();
    if (!toInsert.isEmpty()) {
      PreparedBatch batch = handle.prepareBatch(statements.insertJob());
      for (int i : toInsert) {
        bindJob(batch, jobs.get(i)).add();
      }
      int[] counts = batch.execute();
      for (int n = 0; n < counts.length; n++) {
        if (counts[n] != 0) {
          created.add(toInsert.get(n));
        }
      }
    }
    Map<String, UUID> holders = keys.isEmpty() ? Map.of() : idsByKey(handle, keys);
    List<InsertResult> results = new ArrayList<>(jobs.size());
    for (int i = 0; i < jobs.size(); i++) {
      NewJob job = jobs.get(i);
      String key = job.idempotencyKey();
      if (key == null) {
        results.add(new InsertResult(job.id(), true));
        continue;
      }
      UUID holder = holders.get(key);
      if (holder == null) {
        throw new StorageException(
            "idempotency key '" + key + "' was taken by a job that has since been deleted");
      }
      // a driver that rewrites batches reports no per-row counts; the holder's id settles it
      boolean stored = created.contains(i) && holder.equals(job.id().value());
      results.add(new InsertResult(new JobId(holder), stored));
    }
    return results;
  }

  private Map<String, UUID> idsByKey(Handle handle, Set<String> keys) {
    Map<String, UUID> ids = new HashMap<>();
    List<String> all = List.copyOf(keys);
    for (int from = 0; from < all.size(); from += MAX_KEYS_PER_SELECT) {
      handle
          .createQuery(statements.selectIdsByKey)
          .bindList("keys", all.subList(from, Math.min(all.size(), from + MAX_KEYS_PER_SELECT)))
          .map((rs, ctx) -> Map.entry(rs.getString(2), rs.getObject(1, UUID.class)))
          .forEach(entry -> ids.put(entry.getKey(), entry.getValue()));
    }
    return ids;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Without a running limit among the requested types, one statement in autocommit. With one,
   * one transaction: it takes a lock per limited type (on PostgreSQL a transaction-scoped advisory
   * lock whose key derives from the table prefix and the type; on H2 a JVM-wide lock), counts the
   * running jobs of those types, claims up to each one's room below its limit, type by type, then
   * the other types' jobs for what is left of the request's limit, and commits, which releases the
   * locks. Claims of unlimited types never wait for the lock.
   */
  @Override
  public List<StoredJob> claim(ClaimRequest request) {
    List<StoredJob> claimed =
        request.hasRunningLimits()
            ? claimWithRunningLimits(request)
            : connections.withHandle(
                "claim jobs",
                handle -> claimOf(handle, request, request.reportTypes(), request.limit()));
    List<StoredJob> ordered = new ArrayList<>(claimed);
    ordered.sort(StoredJob.CLAIM_ORDER);
    return List.copyOf(ordered);
  }

  private List<StoredJob> claimWithRunningLimits(ClaimRequest request) {
    SortedSet<String> limited = new TreeSet<>(request.runningLimits().keySet());
    limited.retainAll(request.reportTypes());
    Set<String> unlimited = new HashSet<>(request.reportTypes());
    unlimited.removeAll(limited);
    return statements.underRunningLimits(
        connections,
        limited,
        handle -> {
          Map<String, Long> running = new HashMap<>();
          handle
              .createQuery(statements.countRunning)
              .bindArray("reportTypes", String.class, limited.toArray())
              .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getLong(2)))
              .forEach(entry -> running.put(entry.getKey(), entry.getValue()));
          List<StoredJob> claimed = new ArrayList<>();
          for (Map.Entry<String, Integer> max : new TreeMap<>(request.runningLimits()).entrySet()) {
            String type = max.getKey();
            if (!limited.contains(type)) {
              continue;
            }
            long room =
                Math.min(
                    request.limit() - claimed.size(),
                    max.getValue() - running.getOrDefault(type, 0L));
            if (room > 0) {
              claimed.addAll(claimOf(handle, request, Set.of(type), (int) room));
            }
          }
          int left = request.limit() - claimed.size();
          if (left > 0 && !unlimited.isEmpty()) {
            claimed.addAll(claimOf(handle, request, unlimited, left));
          }
          return claimed;
        });
  }

  /** Runs the dialect's claim statement for up to {@code limit} due jobs of {@code types}. */
  private List<StoredJob> claimOf(
      Handle handle, ClaimRequest request, Set<String> types, int limit) {
    return handle
        .createQuery(statements.claim(limit))
        .bind("node", request.nodeId())
        .bind("now", EpochMicros.of(request.now()))
        .bind("leaseExpiresAt", EpochMicros.of(request.leaseExpiresAt()))
        .bindArray("reportTypes", String.class, types.toArray())
        .map(StoredJobMapper.INSTANCE)
        .list();
  }

  /**
   * {@inheritDoc}
   *
   * <p>All transitions run as one JDBC batch in one transaction, followed by one batch that stores
   * the results of the completions that applied.
   *
   * @throws ResultTooLargeException if a completion carries a result larger than {@link
   *     Builder#maxResultBytes(long)}; nothing of the list is written
   */
  @Override
  public List<Boolean> apply(List<Transition> transitions) {
    for (Transition transition : transitions) {
      if (transition instanceof Transition.Completed completed
          && completed.result().sizeBytes() > maxResultBytes) {
        throw new ResultTooLargeException(completed.result().sizeBytes(), maxResultBytes);
      }
    }
    if (transitions.isEmpty()) {
      return List.of();
    }
    if (transitions.size() == 1 && !storesContent(transitions.get(0))) {
      // A lone transition without content is one statement: autocommit spares a COMMIT.
      return connections.withHandle("apply a transition", h -> applyAll(h, transitions));
    }
    return connections.inTransaction("apply transitions", h -> applyAll(h, transitions));
  }

  private List<Boolean> applyAll(Handle handle, List<Transition> transitions) {
    List<Boolean> applied = statements.applyTransitions(handle, transitions);
    List<Transition> completions = new ArrayList<>();
    for (int i = 0; i < applied.size(); i++) {
      Transition transition = transitions.get(i);
      if (applied.get(i)) {
        // An empty result needs no row: openResult reads a completed job without one as empty.
        if (storesContent(transition)) {
          completions.add(transition);
        }
      }
    }
    if (!completions.isEmpty()) {
      PreparedBatch results = handle.prepareBatch(statements.insertResult);
      for (Transition completion : completions) {
        results
            .bind("id", completion.jobId().value())
            .bind("content", ((Transition.Completed) completion).result().bytes())
            .add();
      }
      results.execute();
    }
    return List.copyOf(applied);
  }

  private static boolean storesContent(Transition transition) {
    return transition instanceof Transition.Completed completed
        && completed.result().sizeBytes() > 0;
  }

  private static byte[] contentOrEmpty(byte @Nullable [] content) {
    return content == null ? new byte[0] : content;
  }

  @Override
  public HeartbeatResult extendLeases(LeaseExtension extension) {
    if (extension.leases().isEmpty()) {
      return new HeartbeatResult(Set.of(), Set.of());
    }
    Map<UUID, Boolean> extended = statements.extendLeases(connections, extension);
    Set<JobId> lost = new HashSet<>();
    Set<JobId> cancellationRequested = new HashSet<>();
    for (Lease lease : extension.leases()) {
      Boolean cancel = extended.get(lease.jobId().value());
      if (cancel == null) {
        lost.add(lease.jobId());
      } else if (cancel) {
        cancellationRequested.add(lease.jobId());
      }
    }
    return new HeartbeatResult(lost, cancellationRequested);
  }

  @Override
  public boolean updateProgress(ProgressUpdate update) {
    return connections.withHandle(
            "update progress",
            handle ->
                handle
                    .createUpdate(statements.updateProgress)
                    .bind("id", update.lease().jobId().value())
                    .bind("token", update.lease().fencingToken())
                    .bind("percent", update.progress().percent())
                    .bind("message", update.progress().message())
                    .bind("now", EpochMicros.of(update.now()))
                    .execute())
        > 0;
  }

  @Override
  public boolean cancelQueued(JobId id, Instant now) {
    return updateById("cancel a queued job", statements.cancelQueued, id, now) > 0;
  }

  @Override
  public boolean requeue(JobId id, Instant now) {
    return updateById("retry a job", statements.requeue, id, now) > 0;
  }

  @Override
  public boolean requestCancellation(JobId id, Instant now) {
    return updateById("request cancellation", statements.requestCancellation, id, now) > 0;
  }

  private int updateById(String action, String statement, JobId id, Instant now) {
    Objects.requireNonNull(id, "id");
    long micros = EpochMicros.of(now);
    return connections.withHandle(
        action,
        handle ->
            handle.createUpdate(statement).bind("id", id.value()).bind("now", micros).execute());
  }

  @Override
  public List<StoredJob> findExpiredLeases(Instant now, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1: " + limit);
    }
    long micros = EpochMicros.of(now);
    return connections.withHandle(
        "find expired leases",
        handle ->
            handle
                .createQuery(statements.findExpiredLeases)
                .bind("now", micros)
                .bind("limit", limit)
                .map(StoredJobMapper.INSTANCE)
                .list());
  }

  @Override
  public Optional<StoredJob> find(JobId id) {
    Objects.requireNonNull(id, "id");
    return connections.withHandle(
        "find a job",
        handle ->
            handle
                .createQuery(statements.findById)
                .bind("id", id.value())
                .map(StoredJobMapper.INSTANCE)
                .findOne());
  }

  /**
   * {@inheritDoc}
   *
   * <p>One statement, {@code SELECT id, state ... WHERE id = ANY(?)} with the ids bound as one
   * array, whatever their number: the statement's text does not grow with them.
   */
  @Override
  public Map<JobId, JobState> states(Collection<JobId> ids) {
    Objects.requireNonNull(ids, "ids");
    if (ids.isEmpty()) {
      return Map.of();
    }
    UUID[] values = new UUID[ids.size()];
    int i = 0;
    for (JobId id : ids) {
      values[i++] = Objects.requireNonNull(id, "ids must not contain null").value();
    }
    return connections.withHandle(
        "read the states of jobs",
        handle -> {
          Map<JobId, JobState> states = new HashMap<>();
          handle
              .createQuery(statements.selectStates)
              .bindArray("ids", UUID.class, (Object[]) values)
              .map(
                  (rs, ctx) ->
                      Map.entry(
                          new JobId(rs.getObject(1, UUID.class)),
                          JobState.valueOf(rs.getString(2))))
              .forEach(entry -> states.put(entry.getKey(), entry.getValue()));
          return Collections.unmodifiableMap(states);
        });
  }

  @Override
  public Optional<List<JobHistoryEntry>> history(JobId id) {
    Objects.requireNonNull(id, "id");
    return connections
        .withHandle(
            "read a job's history",
            handle ->
                handle
                    .createQuery(statements.selectHistory)
                    .bind("id", id.value())
                    .mapTo(String.class)
                    .findOne())
        .map(HistoryText::read);
  }

  @Override
  public List<StoredJob> query(JobQuery query) {
    Objects.requireNonNull(query, "query");
    Set<JobState> states =
        query.states().isEmpty() ? EnumSet.allOf(JobState.class) : EnumSet.copyOf(query.states());
    boolean byType = query.reportType() != null;
    JobCursor after = query.after();
    String statement =
        statements.page(
            states,
            byType,
            after != null,
            query.order() == JobQuery.Order.NEWEST_FIRST,
            query.limit());
    return connections.withHandle(
        "query jobs",
        handle -> {
          Query select = handle.createQuery(statement);
          statements.bindPageSize(select, query.limit());
          if (byType) {
            select.bind("reportType", query.reportType());
          }
          if (after != null) {
            select.bind("afterCreatedAt", EpochMicros.of(after.createdAt()));
            // A cursor finer than the stored microseconds lies after every job of its truncated
            // microsecond, so it compares as the last id there, in either order. (Newest first,
            // a job whose id is that last id would be left out; no generated id is.)
            select.bind(
                "afterId",
                after.createdAt().getNano() % 1_000 == 0 ? after.id().value() : LAST_UUID);
          }
          return select.map(StoredJobMapper.INSTANCE).list();
        });
  }

  /**
   * {@inheritDoc}
   *
   * <p>The content is read whole (it is at most {@link Builder#maxResultBytes(long)}) before the
   * connection goes back to the pool, so the stream holds no database resources.
   */
  @Override
  public Optional<InputStream> openResult(JobId id) {
    Objects.requireNonNull(id, "id");
    Optional<byte[]> content =
        connections.withHandle(
            "read a result",
            handle ->
                handle
                    .createQuery(statements.openResult)
                    .bind("id", id.value())
                    .map((rs, ctx) -> contentOrEmpty(rs.getBytes(1)))
                    .findOne());
    return content.map(ByteArrayInputStream::new);
  }

  /**
   * {@inheritDoc}
   *
   * <p>On PostgreSQL one node purges at a time: the batch runs in a transaction that first takes a
   * transaction-scoped advisory lock ({@code pg_try_advisory_xact_lock}) whose key derives from the
   * table prefix, and returns 0 at once if another node holds it; the lock goes with the commit.
   * The batch passes over rows other transactions hold ({@code FOR UPDATE SKIP LOCKED}), so it
   * never waits on a worker's write. Keep {@code limit} small (core asks for 500 at a time) so that
   * each batch holds its locks briefly. A batch deletes the jobs' results with them, in the same
   * statement. On H2 it reads the ids first and deletes by them, in one transaction.
   */
  @Override
  public int purgeFinished(Instant finishedBefore, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1: " + limit);
    }
    long micros = EpochMicros.of(finishedBefore);
    return connections.inTransaction(
        "purge finished jobs", handle -> statements.purgeFinished(handle, micros, limit));
  }

  /**
   * {@inheritDoc}
   *
   * <p>One statement: a {@code GROUP BY} over the whole table for the counts, and one over the
   * {@code REQUESTED} rows with {@code run_at <= now} for the due figures, which PostgreSQL reads
   * from the due index alone. Its cost grows with the table (see docs/observability.md).
   */
  @Override
  public JobStatistics statistics(Instant now) {
    long micros = EpochMicros.of(now);
    List<StatisticsRow> rows =
        connections.withHandle(
            "read job statistics",
            handle ->
                handle
                    .createQuery(statements.statistics)
                    .bind("now", micros)
                    .map(
                        (rs, ctx) -> {
                          long oldest = rs.getLong(4);
                          return new StatisticsRow(
                              rs.getString(1),
                              rs.getString(2),
                              rs.getLong(3),
                              rs.wasNull() ? null : EpochMicros.toInstant(oldest));
                        })
                    .list());
    Map<String, Map<JobState, Long>> counts = new HashMap<>();
    Map<String, StatisticsRow> due = new HashMap<>();
    for (StatisticsRow row : rows) {
      String state = row.state();
      if (state == null) {
        due.put(row.reportType(), row);
      } else {
        counts
            .computeIfAbsent(row.reportType(), type -> new EnumMap<>(JobState.class))
            .put(JobState.valueOf(state), row.jobs());
      }
    }
    Map<String, TypeStatistics> byType = new HashMap<>();
    counts.forEach(
        (type, byState) -> {
          StatisticsRow dueRow = due.get(type);
          byType.put(
              type,
              dueRow == null
                  ? new TypeStatistics(byState, 0, null)
                  : new TypeStatistics(byState, dueRow.jobs(), dueRow.oldestDue()));
        });
    return new JobStatistics(byType);
  }

  /** A row of {@link Statements#statistics}: a state's count, or (state NULL) the due figures. */
  private record StatisticsRow(
      String reportType, @Nullable String state, long jobs, @Nullable Instant oldestDue) {}

  /** The advisory lock key of this store's purge on PostgreSQL. */
  long purgeLockKey() {
    return PostgresStatements.purgeLockKey(tablePrefix);
  }

  /**
   * Closes the connection pool if this store built it; a host {@link DataSource} stays open.
   * Idempotent.
   */
  @Override
  public void close() {
    connections.close();
  }

  @Override
  public String toString() {
    return name(dialect, tablePrefix);
  }

  private static String name(Dialect dialect, String tablePrefix) {
    return "JdbcJobRepository[" + dialect + ", tables " + tablePrefix + "*]";
  }

  private static String validTablePrefix(@Nullable String prefix) {
    if (prefix == null || !SQL_IDENTIFIER.matcher(prefix).matches()) {
      throw new IllegalArgumentException(
          "tablePrefix must be a letter or underscore followed by at most 40 letters, digits or"
              + " underscores: '"
              + prefix
              + "'");
    }
    return prefix;
  }

  /**
   * Configures a {@link JdbcJobRepository}. Not thread-safe; {@link #build()} validates every
   * setting and names the bad one.
   */
  public static final class Builder {

    private @Nullable DataSource dataSource;
    private @Nullable String jdbcUrl;
    private @Nullable String username;
    private @Nullable String password;
    private @Nullable HikariConfig hikariConfig;
    private String tablePrefix = DEFAULT_TABLE_PREFIX;
    private boolean createSchema = true;
    private long maxResultBytes = DEFAULT_MAX_RESULT_BYTES;
    private boolean notifications = true;
    private Duration feedQuiet = PostgresEventFeed.QUIET;
    private Duration feedProbeTimeout = PostgresEventFeed.PROBE_TIMEOUT;

    private Builder() {}

    /** Borrows connections from the host's pool, which the store never closes. */
    public Builder dataSource(DataSource dataSource) {
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
      return this;
    }

    /**
     * Connects through a HikariCP pool that the store builds and closes: at most 10 connections, 5
     * seconds to wait for one.
     */
    public Builder jdbcUrl(String jdbcUrl) {
      this.jdbcUrl = Objects.requireNonNull(jdbcUrl, "jdbcUrl");
      return this;
    }

    /** The user for {@link #jdbcUrl(String)}. */
    public Builder username(String username) {
      this.username = Objects.requireNonNull(username, "username");
      return this;
    }

    /** The password for {@link #jdbcUrl(String)}. */
    public Builder password(String password) {
      this.password = Objects.requireNonNull(password, "password");
      return this;
    }

    /**
     * Connects through a HikariCP pool built from a copy of {@code config}, which the store closes:
     * for pool settings beyond {@link #jdbcUrl(String)}'s defaults.
     */
    public Builder hikariConfig(HikariConfig config) {
      this.hikariConfig = Objects.requireNonNull(config, "hikariConfig");
      return this;
    }

    /**
     * Starts the name of every table and index, {@value JdbcJobRepository#DEFAULT_TABLE_PREFIX} by
     * default; a letter or underscore followed by at most 40 letters, digits or underscores.
     */
    public Builder tablePrefix(String tablePrefix) {
      this.tablePrefix = Objects.requireNonNull(tablePrefix, "tablePrefix");
      return this;
    }

    /**
     * Whether {@link #build()} creates or upgrades the tables (the default), or leaves the schema
     * to the host's migration tool.
     */
    public Builder createSchema(boolean createSchema) {
      this.createSchema = createSchema;
      return this;
    }

    /** The largest result content stored, 16 MiB by default; larger ones are refused. */
    public Builder maxResultBytes(long maxResultBytes) {
      this.maxResultBytes = maxResultBytes;
      return this;
    }

    /**
     * Whether a store on PostgreSQL notifies other nodes of submits and cancellation requests
     * ({@code LISTEN/NOTIFY}), so that they act at once rather than at their next poll or
     * heartbeat; on by default, and ignored on H2. Switch it off on every node of a cluster whose
     * connections go through a pooler in transaction mode (PgBouncer's {@code
     * pool_mode=transaction}), which cannot keep a {@code LISTEN}: the nodes then learn of both by
     * polling, as they do anyway when a notification is lost.
     */
    public Builder notifications(boolean notifications) {
      this.notifications = notifications;
      return this;
    }

    /**
     * How long the event feed may hear nothing before it checks its connection, and how long that
     * check may wait; for tests, which cannot wait the defaults out.
     */
    Builder feedProbe(Duration quiet, Duration timeout) {
      this.feedQuiet = Objects.requireNonNull(quiet, "quiet");
      this.feedProbeTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * Connects, recognises the database and, unless switched off, brings the schema up to date.
     *
     * @throws IllegalArgumentException if a setting is missing or invalid, no JDBC driver on the
     *     classpath accepts the URL (the message names the Maven dependency to add for a PostgreSQL
     *     or H2 URL), or the database is neither PostgreSQL nor H2
     * @throws StorageException if the database cannot be reached or the schema not applied
     */
    public JdbcJobRepository build() {
      String prefix = validTablePrefix(tablePrefix);
      if (maxResultBytes < 1) {
        throw new IllegalArgumentException("maxResultBytes must be at least 1: " + maxResultBytes);
      }
      int sources =
          (dataSource != null ? 1 : 0) + (jdbcUrl != null ? 1 : 0) + (hikariConfig != null ? 1 : 0);
      if (sources != 1) {
        throw new IllegalArgumentException(
            "set exactly one of dataSource, jdbcUrl and hikariConfig (" + sources + " set)");
      }
      if ((username != null || password != null) && jdbcUrl == null) {
        throw new IllegalArgumentException("username and password go with jdbcUrl only");
      }
      HikariDataSource ownedPool =
          dataSource == null ? OwnedPool.start(hikariConfig, jdbcUrl, username, password) : null;
      try {
        Jdbi jdbi = Jdbi.create(ownedPool != null ? ownedPool : dataSource);
        Dialect dialect =
            jdbi.withHandle(
                handle ->
                    Dialect.of(handle.getConnection().getMetaData().getDatabaseProductName()));
        if (createSchema) {
          SchemaMigrator.migrate(jdbi, dialect, prefix);
        }
        String name = name(dialect, prefix);
        Connections connections =
            ownedPool != null
                ? Connections.ofOwnedPool(jdbi, ownedPool, name)
                : Connections.borrowedFrom(jdbi, Objects.requireNonNull(dataSource), name);
        if (ownedPool == null && dialect == Dialect.H2) {
          H2FileSettings.warnIfWritesAreDelayed(jdbi);
        }
        boolean notifying = notifications && dialect == Dialect.POSTGRESQL;
        String channel =
            notifying
                ? EventPayloads.channel(
                    jdbi.withHandle(
                        handle ->
                            handle
                                .createQuery(SCHEMA_OF_TABLE)
                                .bind("table", prefix + "jobs")
                                .mapTo(String.class)
                                .one()),
                    prefix)
                : null;
        ListeningConnections listening =
            notifying
                ? listeningConnections(
                    jdbcUrl != null ? ownedPool : null,
                    ownedPool != null ? ownedPool : Objects.requireNonNull(dataSource))
                : null;
        return new JdbcJobRepository(
            connections,
            dialect,
            prefix,
            maxResultBytes,
            channel,
            listening,
            feedQuiet,
            feedProbeTimeout);
      } catch (JdbiException | SQLException e) {
        closeQuietly(ownedPool);
        throw Connections.failure("start", e);
      } catch (RuntimeException e) {
        closeQuietly(ownedPool);
        throw e;
      }
    }

    /**
     * A connection of its own per feed where the store built its pool from {@link
     * #jdbcUrl(String)}: a slot of a pool the store sized itself, held for the node's life, would
     * be one fewer for its work. Given a data source or a {@link #hikariConfig(HikariConfig)}, the
     * feed borrows from that pool, which the host sized and set up (driver class, init SQL,
     * timeouts): the pool is then one smaller while the node runs.
     */
    private static ListeningConnections listeningConnections(
        @Nullable HikariDataSource poolFromUrl, DataSource pool) {
      if (poolFromUrl != null) {
        String url = Objects.requireNonNull(poolFromUrl.getJdbcUrl());
        Properties properties = new Properties();
        properties.putAll(poolFromUrl.getDataSourceProperties());
        if (poolFromUrl.getUsername() != null) {
          properties.setProperty("user", poolFromUrl.getUsername());
        }
        if (poolFromUrl.getPassword() != null) {
          properties.setProperty("password", poolFromUrl.getPassword());
        }
        return () -> DriverManager.getConnection(url, properties);
      }
      return pool::getConnection;
    }

    private static void closeQuietly(@Nullable HikariDataSource pool) {
      if (pool != null) {
        pool.close();
      }
    }
  }
}

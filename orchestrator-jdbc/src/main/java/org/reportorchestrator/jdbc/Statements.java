package org.reportorchestrator.jdbc;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.Query;
import org.jspecify.annotations.Nullable;
import org.reportorchestrator.JobState;
import org.reportorchestrator.StorageException;
import org.reportorchestrator.spi.LeaseExtension;
import org.reportorchestrator.spi.Transition;

/**
 * The statements of one store, with its validated table prefix. What both databases write alike is
 * here; {@link PostgresStatements} and {@link H2Statements} each hold the rest of their dialect's
 * SQL and run the operations whose shape differs between them (the lease heartbeat, the purge).
 * Built once per store; immutable and thread-safe. Named parameters use Jdbi's {@code :name} form
 * and {@code <name>} for bound lists.
 */
abstract sealed class Statements permits PostgresStatements, H2Statements {

  static final String COLUMNS =
      "id, report_type, parameters, state, attempt, max_attempts, priority, idempotency_key,"
          + " timeout_ms, created_at, updated_at, started_at, finished_at, run_at,"
          + " progress_percent, progress_message, error_type, error_message, error_stack,"
          + " result_content_type, result_file_name, result_size, result_metadata, owner_node,"
          + " fencing_token, lease_expires_at, cancel_requested";

  /**
   * The order in which claims take due jobs, {@link
   * org.reportorchestrator.spi.StoredJob#CLAIM_ORDER} in SQL. Priority must stay the leading key:
   * PostgreSQL's claim walks the priority levels one by one and orders the jobs within a level by
   * the keys after it.
   */
  static final String CLAIM_ORDER = "priority DESC, run_at, created_at, id";

  /**
   * The terminal states as an SQL list, from core's transition table. PostgreSQL's purge index is
   * partial on this same list (in the V1 migration), and its planner uses that index only for a
   * predicate that implies the index's own.
   */
  static final String TERMINAL_STATES =
      Stream.of(JobState.values())
          .filter(JobState::isTerminal)
          .map(Statements::literal)
          .collect(Collectors.joining(", ", "(", ")"));

  /**
   * The states an operator's retry takes back to {@code REQUESTED}, as an SQL list from core's
   * transition table.
   */
  static final String RETRIABLE_STATES =
      Stream.of(JobState.values())
          .filter(JobState::isRetriable)
          .map(Statements::literal)
          .collect(Collectors.joining(", ", "(", ")"));

  private static final String NO_VALUE = "CAST(NULL AS VARCHAR)";

  /**
   * The claim's limit is written into the statement, not bound: PostgreSQL plans a bound limit
   * generically after a few executions and then scans the whole due index (1.5 s at a million due
   * rows, against 0.3 ms with the limit in the text).
   */
  static final String LIMIT_PLACEHOLDER = "{limit}";

  final String jobs;
  final String results;

  /** What a claim writes into each row it takes, its history entry included. */
  final String claimSet;

  /**
   * Per report type of {@code :reportTypes}, how many of its jobs are {@code RUNNING}; types with
   * none are absent. Read under {@link #underRunningLimits}.
   */
  final String countRunning;

  final String selectIdsByKey;
  final String applyTransition;
  final String insertResult;
  final String updateProgress;
  final String cancelQueued;
  final String requeue;
  final String selectHistory;
  final String requestCancellation;
  final String findExpiredLeases;
  final String findById;

  /** The id and state of each stored job among {@code :ids}, an array: one probe each by key. */
  final String selectStates;

  final String openResult;

  /** The ids of up to {@code :limit} jobs that finished before {@code :before}, oldest first. */
  final String selectPurgeable;

  /** The insert of one job without a look at its idempotency key. */
  final String insertJobAsGiven;

  /**
   * Per report type and state, how many jobs; then, in rows whose state is NULL, per report type
   * how many jobs are due at {@code :now} and the oldest due run_at. One statement, so one
   * snapshot: the due count never exceeds the REQUESTED count. The first branch reads every row;
   * the second only the REQUESTED ones, through the due index on PostgreSQL.
   */
  final String statistics;

  /**
   * The channel the writes of this store notify on (PostgreSQL's {@code pg_notify}), or {@code
   * null} if they notify nobody.
   */
  final @Nullable String channel;

  Statements(String prefix, HistorySql history, @Nullable String channel) {
    this.channel = channel;
    jobs = prefix + "jobs";
    results = prefix + "job_results";
    String at = "CAST(:at AS BIGINT)";
    String now = "CAST(:now AS BIGINT)";
    claimSet =
        " SET state = 'RUNNING', attempt = attempt + 1, fencing_token = fencing_token + 1,"
            + " owner_node = :node, started_at = :now, lease_expires_at = :leaseExpiresAt,"
            + " updated_at = :now, progress_percent = 0, progress_message = NULL, history = "
            + history.appended(claimEntry(history, "attempt + 1"));
    countRunning =
        "SELECT report_type, count(*) FROM "
            + jobs
            + " WHERE state = 'RUNNING' AND report_type = ANY(:reportTypes) GROUP BY report_type";
    insertJobAsGiven =
        "INSERT INTO "
            + jobs
            + " ("
            + COLUMNS
            + ", history) VALUES (:id, :reportType, :parameters, 'REQUESTED', 0, :maxAttempts,"
            + " :priority, :idempotencyKey, :timeoutMs, :createdAt, :createdAt, NULL, NULL,"
            + " :runAt, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, "
            + notifying(
                "FALSE", "'" + EventPayloads.SUBMITTED + "' || CAST(:reportType AS VARCHAR)")
            + ", "
            + insertEntry(history)
            + ")";
    selectIdsByKey =
        "SELECT id, idempotency_key FROM " + jobs + " WHERE idempotency_key IN (<keys>)";
    applyTransition =
        "UPDATE "
            + jobs
            + transitionSet(history, name -> ":" + name)
            + " WHERE id = :id AND state = 'RUNNING' AND fencing_token = :token"
            + " AND (:anyLease OR lease_expires_at < :leaseExpiredBefore)";
    insertResult = "INSERT INTO " + results + " (job_id, content) VALUES (:id, :content)";
    updateProgress =
        "UPDATE "
            + jobs
            + " SET progress_percent = :percent, progress_message = :message,"
            + " updated_at = :now WHERE id = :id AND state = 'RUNNING' AND fencing_token = :token";
    cancelQueued =
        "UPDATE "
            + jobs
            + " SET state = 'CANCELLED', finished_at = :now, updated_at = :now, history = "
            + history.appended(
                history.entry(
                    "'REQUESTED'", "'CANCELLED'", now, "attempt", NO_VALUE, NO_VALUE, NO_VALUE))
            + " WHERE id = :id AND state = 'REQUESTED'";
    requeue =
        "UPDATE "
            + jobs
            + " SET state = 'REQUESTED', attempt = 0, run_at = :now, finished_at = NULL,"
            + " updated_at = :now, progress_percent = 0, progress_message = NULL,"
            + " cancel_requested = "
            + notifying("FALSE", "'" + EventPayloads.SUBMITTED + "' || report_type")
            + ", history = "
            + history.appended(
                history.entry("state", "'REQUESTED'", now, "0", NO_VALUE, NO_VALUE, NO_VALUE))
            + " WHERE id = :id AND state IN "
            + RETRIABLE_STATES;
    selectHistory = "SELECT history FROM " + jobs + " WHERE id = :id";
    requestCancellation =
        "UPDATE "
            + jobs
            + " SET cancel_requested = "
            + notifying("TRUE", "'" + EventPayloads.CANCELLED + "' || CAST(id AS VARCHAR)")
            + ", updated_at = :now"
            + " WHERE id = :id AND state = 'RUNNING'";
    findExpiredLeases =
        "SELECT "
            + COLUMNS
            + " FROM "
            + jobs
            + " WHERE state = 'RUNNING' AND lease_expires_at < :now"
            + " ORDER BY lease_expires_at, id LIMIT :limit";
    findById = "SELECT " + COLUMNS + " FROM " + jobs + " WHERE id = :id";
    selectStates = "SELECT id, state FROM " + jobs + " WHERE id = ANY(:ids)";
    openResult =
        "SELECT r.content FROM "
            + jobs
            + " j LEFT JOIN "
            + results
            + " r ON r.job_id = j.id"
            + " WHERE j.id = :id AND j.state = 'COMPLETED'";
    selectPurgeable =
        "SELECT id FROM "
            + jobs
            + " WHERE state IN "
            + TERMINAL_STATES
            + " AND finished_at < :before ORDER BY finished_at LIMIT :limit";
    statistics =
        "SELECT report_type, state, COUNT(*) AS jobs, CAST(NULL AS BIGINT) AS oldest_due FROM "
            + jobs
            + " GROUP BY report_type, state UNION ALL"
            + " SELECT report_type, CAST(NULL AS VARCHAR(16)), COUNT(*), MIN(run_at) FROM "
            + jobs
            + " WHERE state = 'REQUESTED' AND run_at <= :now GROUP BY report_type";
  }

  static Statements of(JdbcJobRepository.Dialect dialect, String prefix, @Nullable String channel) {
    return switch (dialect) {
      case POSTGRESQL -> new PostgresStatements(prefix, channel);
      case H2 -> new H2Statements(prefix);
    };
  }

  /**
   * {@code value}, as an SQL expression that also sends {@code payload} (an SQL text expression) on
   * the store's channel if it has one. The notification goes out with the statement's transaction,
   * at its commit, so a node that hears it finds the row committed; it is sent only when the
   * expression is evaluated, so an UPDATE that matches no row sends nothing. Part of the statement
   * itself rather than a statement of its own: no extra round trip, and whoever runs the statement,
   * in whichever transaction, notifies alike. PostgreSQL delivers identical notifications of one
   * transaction once, so a batch of jobs of one type wakes each listener once.
   */
  final String notifying(String value, String payload) {
    if (channel == null) {
      return value;
    }
    return "(SELECT " + value + " FROM pg_notify('" + channel + "', " + payload + "))";
  }

  /** The history entry of a stored job, {@code null -> REQUESTED} at {@code :createdAt}. */
  static String insertEntry(HistorySql history) {
    return history.entry(
        NO_VALUE, "'REQUESTED'", "CAST(:createdAt AS BIGINT)", "0", NO_VALUE, NO_VALUE, NO_VALUE);
  }

  /** The history entry of a claim by {@code :node} at {@code :now} that starts {@code attempt}. */
  static String claimEntry(HistorySql history, String attempt) {
    return history.entry(
        "'REQUESTED'",
        "'RUNNING'",
        "CAST(:now AS BIGINT)",
        attempt,
        "CAST(:node AS VARCHAR)",
        NO_VALUE,
        NO_VALUE);
  }

  /**
   * What the update of a transition sets, the job's history entry included, each of {@link
   * TransitionParameters#ALL} read through {@code parameter} (a bound name, or a column of unnested
   * arrays). Columns of the job are unqualified.
   */
  final String transitionSet(HistorySql history, Function<String, String> parameter) {
    String to = parameter.apply("to");
    String at = "CAST(" + parameter.apply("at") + " AS BIGINT)";
    String refund = parameter.apply("refund");
    String setError = parameter.apply("setError");
    String completed = parameter.apply("completed");
    return " SET state = "
        + to
        + ", updated_at = "
        + at
        + ", finished_at = "
        + parameter.apply("finishedAt")
        + ", run_at = COALESCE("
        + parameter.apply("nextRunAt")
        + ", run_at), attempt = attempt - "
        + refund
        + ", owner_node = NULL, lease_expires_at = NULL,"
        // a job back in REQUESTED (released at shutdown, rescued, retried) may be worth a
        // claim elsewhere: the notification is sent only in that branch
        + " cancel_requested = CASE WHEN "
        + to
        + " = 'REQUESTED' THEN "
        + notifying("cancel_requested", "'" + EventPayloads.SUBMITTED + "' || report_type")
        + " ELSE FALSE END, error_type = CASE WHEN "
        + setError
        + " THEN "
        + parameter.apply("errorType")
        + " ELSE error_type END, error_message = CASE WHEN "
        + setError
        + " THEN "
        + parameter.apply("errorMessage")
        + " ELSE error_message END, error_stack = CASE WHEN "
        + setError
        + " THEN "
        + parameter.apply("errorStack")
        + " ELSE error_stack END, progress_percent = CASE WHEN "
        + completed
        + " THEN 100 ELSE progress_percent END, result_content_type = "
        + parameter.apply("resultContentType")
        + ", result_file_name = "
        + parameter.apply("resultFileName")
        + ", result_size = "
        + parameter.apply("resultSize")
        + ", result_metadata = "
        + parameter.apply("resultMetadata")
        + ", history = "
        + history.appended(
            history.entry(
                "'RUNNING'",
                "CAST(" + to + " AS VARCHAR)",
                at,
                "attempt - " + refund,
                "owner_node",
                "CAST(" + parameter.apply("errorType") + " AS VARCHAR)",
                "CAST(" + parameter.apply("historyErrorMessage") + " AS VARCHAR)"));
  }

  /**
   * Applies each transition whose job is still {@code RUNNING} under the transition's lease, inside
   * the caller's transaction; says per transition whether it applied. Two or more transitions of
   * distinct jobs go in the dialect's {@link #applyTransitionsAtOnce} statement, where it has one:
   * a JDBC batch runs one statement per row, and on PostgreSQL each cost about twice the time per
   * row of one statement for all (57 against 26 µs per row for 48 rows, measured alone on the
   * benchmark machine). Otherwise one statement per transition, sent as one JDBC batch, which locks
   * the rows in the order given.
   */
  final List<Boolean> applyTransitions(Handle handle, List<Transition> transitions) {
    String atOnce = applyTransitionsAtOnce();
    if (atOnce != null && transitions.size() >= 2 && ofDistinctJobs(transitions)) {
      Query update = handle.createQuery(atOnce);
      for (TransitionParameters.Parameter parameter : TransitionParameters.ALL) {
        List<@Nullable Object> values = new ArrayList<>(transitions.size());
        for (Transition transition : transitions) {
          values.add(parameter.value().apply(transition));
        }
        update.bindArray(parameter.name(), parameter.javaType(), values);
      }
      Set<UUID> applied = appliedAtOnce(update);
      List<Boolean> result = new ArrayList<>(transitions.size());
      for (Transition transition : transitions) {
        result.add(applied.contains(transition.jobId().value()));
      }
      return result;
    }
    PreparedBatch batch = handle.prepareBatch(applyTransition);
    for (Transition transition : transitions) {
      for (TransitionParameters.Parameter parameter : TransitionParameters.ALL) {
        batch.bindByType(
            parameter.name(), parameter.value().apply(transition), parameter.javaType());
      }
      batch.add();
    }
    int[] counts = batch.execute();
    List<Boolean> applied = new ArrayList<>(counts.length);
    for (int count : counts) {
      if (count < 0) {
        throw new StorageException(
            "the JDBC driver did not report how many rows a fenced update changed ("
                + count
                + "); orchestrator-jdbc needs exact batch update counts");
      }
      applied.add(count > 0);
    }
    return applied;
  }

  /**
   * The update of many transitions in one statement: one array per parameter of {@link
   * TransitionParameters#ALL}, unnested into rows, returning the ids of the jobs it updated. A join
   * updates a row once however many input rows match it, so it takes distinct jobs only. {@code
   * null} where the dialect has none.
   */
  @Nullable String applyTransitionsAtOnce() {
    return null;
  }

  /** Runs {@link #applyTransitionsAtOnce}, bound; returns the ids it updated. */
  Set<UUID> appliedAtOnce(Query update) {
    return update.mapTo(UUID.class).set();
  }

  private static boolean ofDistinctJobs(List<Transition> transitions) {
    Set<UUID> jobs = new HashSet<>();
    for (Transition transition : transitions) {
      if (!jobs.add(transition.jobId().value())) {
        return false;
      }
    }
    return true;
  }

  /**
   * Has the database gather the jobs table's statistics if it never has, so that the planner does
   * not plan claims blind; where the database keeps its statistics up to date by itself, nothing.
   */
  void analyseIfNeverAnalysed(Handle handle) {}

  /** The insert of one job, for a batch of new jobs. */
  abstract String insertJob();

  /**
   * The insert of one job without an idempotency key that claims it in the same statement for
   * {@code :node} unless a job of {@code :reportTypes} is due at {@code :now} with at least its
   * priority, returning its row; {@code null} where the dialect has none (the store then inserts
   * the job queued).
   */
  @Nullable String insertAndClaim() {
    return null;
  }

  /**
   * Whether {@link #insertJob()} passes over a job whose idempotency key another job holds. Where
   * it does not, the store looks the keys up before it inserts and retries a race it lost.
   */
  abstract boolean insertSkipsTakenKeys();

  /**
   * Runs {@code claim} in one transaction that holds, from before its first statement until its
   * commit, a lock per report type of {@code limitedTypes} (taken in their sorted order, so two
   * claimers never wait on each other in a cycle): no other claim of those types in this store runs
   * meanwhile, so a count of their running jobs holds until the claim commits.
   */
  abstract <T> T underRunningLimits(
      Connections connections,
      SortedSet<String> limitedTypes,
      HandleCallback<T, SQLException> claim);

  /** The claim of at most {@code limit} due jobs, returning their rows. */
  final String claim(int limit) {
    return claimTemplate().replace(LIMIT_PLACEHOLDER, Integer.toString(limit));
  }

  /** The dialect's claim, with {@link #LIMIT_PLACEHOLDER} where its limit goes. */
  abstract String claimTemplate();

  /**
   * Extends the leases still held and says, per job extended, whether cancellation was requested; a
   * job missing from the map has lost its lease.
   */
  abstract Map<UUID, Boolean> extendLeases(Connections connections, LeaseExtension extension);

  /**
   * Deletes up to {@code limit} jobs that finished before {@code before} (epoch microseconds), with
   * their results, inside the caller's transaction; returns how many jobs went.
   */
  abstract int purgeFinished(Handle handle, long before, int limit);

  /**
   * A page of jobs, oldest first or newest first: one branch per state, each reading the index that
   * leads with {@code state} (or {@code report_type, state}) in listing order (backwards for newest
   * first) from the cursor and stopping after a page, so no branch walks the rows of other states
   * or types; the outer {@code ORDER BY ... LIMIT} merges them. {@code states} is every state when
   * the query has no state filter. {@code :reportType} is present only when the query filters by
   * type, {@code :afterCreatedAt} and {@code :afterId} only when it has a cursor; {@link
   * #bindPageSize} supplies the page size where it is not written in.
   */
  final String page(
      Set<JobState> states, boolean byType, boolean afterCursor, boolean newestFirst, int limit) {
    String pageSize = pageSize(limit);
    List<String> branches = new ArrayList<>();
    for (JobState state : states) {
      branches.add(pageOfState(state, byType, afterCursor, newestFirst, pageSize));
    }
    if (branches.size() == 1) {
      return branches.get(0);
    }
    return "SELECT "
        + COLUMNS
        + " FROM ("
        + String.join(" UNION ALL ", branches.stream().map(b -> "(" + b + ")").toList())
        + ") AS page ORDER BY "
        + (newestFirst ? "created_at DESC, id DESC" : "created_at, id")
        + " LIMIT "
        + pageSize;
  }

  /** The page size as {@link #page} writes it: a parameter or a literal. */
  abstract String pageSize(int limit);

  /** Binds the page size to {@code select} if {@link #pageSize} made it a parameter. */
  abstract void bindPageSize(Query select, int limit);

  /** One branch of {@link #page}: the page of one state, ending in {@code LIMIT pageSize}. */
  abstract String pageOfState(
      JobState state, boolean byType, boolean afterCursor, boolean newestFirst, String pageSize);

  /**
   * A state written into a statement as a literal, not a parameter: the planner then knows how many
   * rows each state has, and a generic plan cannot treat a handful of CANCELLED rows like a million
   * COMPLETED ones.
   */
  static String literal(JobState state) {
    return "'" + state.name() + "'";
  }

  /** The columns of {@link #CLAIM_ORDER}, without their directions, each after {@code alias.}. */
  static String claimOrderColumns(String alias) {
    return qualified(alias, CLAIM_ORDER.replace(" DESC", ""));
  }

  /** {@link #CLAIM_ORDER}, each key after {@code alias.}. */
  static String claimOrder(String alias) {
    return qualified(alias, CLAIM_ORDER);
  }

  /** {@link #CLAIM_ORDER} among jobs of one priority: the keys after the leading one. */
  static String claimOrderWithinPriority(String alias) {
    return qualified(alias, CLAIM_ORDER.substring(CLAIM_ORDER.indexOf(',') + 1));
  }

  static String qualified(String alias, String columns) {
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

package org.reportorchestrator.jdbc;

import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.reportorchestrator.DataRejectedException;
import org.reportorchestrator.StorageException;

/**
 * Turns a driver's failure into the exception core acts on: {@link DataRejectedException} when the
 * database refused the data itself, so writing it again cannot help, and a plain {@link
 * StorageException} (which core treats as transient) for everything else. Stateless.
 *
 * <p>The decision rests on the SQLState, which PostgreSQL and H2 both follow: class 22 is a data
 * exception (value too long, NUL byte, untranslatable character, number out of range) and class 23
 * an integrity constraint violation. A unique violation stays transient: the idempotent insert
 * retries it and finds the job that won the race.
 *
 * <p>The message names the action and the database's own first line, never the statement or its
 * bound values: Jdbi puts both into its exception's message, H2 appends the statement and quotes
 * the offending value, and those values are user data that must not leak into logs.
 */
final class SqlFailures {

  private static final String DATA_EXCEPTION = "22";
  private static final String INTEGRITY_CONSTRAINT_VIOLATION = "23";
  static final String UNIQUE_VIOLATION = "23505";
  private static final int MAX_REASON_LENGTH = 300;

  /** H2 quotes the value it refused ({@code "'abc...' (300)"}); a quoted literal is user data. */
  private static final Pattern QUOTED_LITERAL = Pattern.compile("'(?:[^']|'')*'?");

  private SqlFailures() {}

  static StorageException classify(String what, Exception failure) {
    SQLException sql = rootSqlException(failure);
    if (sql == null) {
      return new StorageException(what + ": " + withoutStatement(failure), failure);
    }
    String state = sql.getSQLState();
    String message = what + ": " + reason(sql) + " (SQLState " + state + ")";
    return isRejectedData(state)
        ? new DataRejectedException(message, failure)
        : new StorageException(message, failure);
  }

  /** Whether {@code state} says the data itself was refused rather than the database failed. */
  static boolean isRejectedData(@Nullable String state) {
    if (state == null || state.length() != 5) {
      return false;
    }
    return state.startsWith(DATA_EXCEPTION)
        || (state.startsWith(INTEGRITY_CONSTRAINT_VIOLATION) && !state.equals(UNIQUE_VIOLATION));
  }

  /**
   * Whether a unique constraint refused a row somewhere on the cause chain: the race that an
   * idempotent insert without ON CONFLICT (H2's) retries.
   */
  static boolean isUniqueViolation(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SQLIntegrityConstraintViolationException
          || (t instanceof SQLException sqlException
              && UNIQUE_VIOLATION.equals(sqlException.getSQLState()))) {
        return true;
      }
    }
    return false;
  }

  /**
   * The innermost driver exception on the cause chain, looking into the chain of next exceptions
   * too: a batch fails with a {@code BatchUpdateException} whose next exception holds the reason.
   */
  static @Nullable SQLException rootSqlException(Throwable failure) {
    SQLException found = null;
    for (Throwable t = failure; t != null && t != t.getCause(); t = t.getCause()) {
      if (t instanceof SQLException sql) {
        found = sql;
      }
    }
    if (found == null) {
      return null;
    }
    SQLException next = found.getNextException();
    while (next != null && (found.getSQLState() == null || isBatchWrapper(found))) {
      found = next;
      next = found.getNextException();
    }
    return found;
  }

  private static boolean isBatchWrapper(SQLException e) {
    return e instanceof java.sql.BatchUpdateException;
  }

  private static String reason(SQLException sql) {
    String message = sql.getMessage();
    if (message == null || message.isBlank()) {
      return sql.getClass().getSimpleName();
    }
    String reason = firstLine(message);
    int statement = reason.indexOf("; SQL statement:");
    if (statement >= 0) {
      reason = reason.substring(0, statement);
    }
    reason = QUOTED_LITERAL.matcher(reason).replaceAll("'...'");
    return reason.length() <= MAX_REASON_LENGTH
        ? reason
        : reason.substring(0, MAX_REASON_LENGTH) + "...";
  }

  /** Jdbi's messages end in {@code [statement:"...", arguments:...]}; keep what comes before. */
  private static String withoutStatement(Throwable failure) {
    String message = failure.getMessage();
    if (message == null) {
      return failure.getClass().getSimpleName();
    }
    int statement = message.indexOf(" [statement:");
    return firstLine(statement >= 0 ? message.substring(0, statement) : message);
  }

  private static String firstLine(String text) {
    int end = text.indexOf('\n');
    return (end >= 0 ? text.substring(0, end) : text).strip();
  }
}

package org.reportorchestrator.jdbc;

import java.util.List;

/**
 * How each dialect writes a history entry: one JSON array per line of the {@code history} column,
 * {@code [from, to, at, attempt, node, errorType, errorMessage]} ({@link HistoryText} reads it),
 * built by the database from SQL values, so that the statement making a transition also records it
 * and can use the row's own values (the attempt, the lease holder) as the transition found them. An
 * array rather than an object with named fields halves what each transition adds to the row and to
 * the write-ahead log.
 */
enum HistorySql {
  POSTGRESQL {
    @Override
    String entry(List<String> values) {
      return "CAST(json_build_array(" + String.join(", ", values) + ") AS TEXT) || chr(10)";
    }

    @Override
    String appended(String entry) {
      return "history || " + entry;
    }
  },

  H2 {
    @Override
    String entry(List<String> values) {
      return "CAST(JSON_ARRAY("
          + String.join(", ", values)
          + " NULL ON NULL) AS VARCHAR) || CHAR(10)";
    }

    /**
     * Past {@link #H2_HISTORY_LIMIT} characters a job keeps its history as it is: the column has a
     * fixed length, and an entry that did not fit would fail the transition it records.
     */
    @Override
    String appended(String entry) {
      return "CASE WHEN LENGTH(history) < "
          + H2_HISTORY_LIMIT
          + " THEN history || "
          + entry
          + " ELSE history END";
    }
  };

  /** Where H2 stops appending: the column's length less room for the longest entry. */
  static final int H2_HISTORY_LIMIT = 990_000;

  /** The text of one entry and its line break, from the SQL values of its fields in order. */
  abstract String entry(List<String> values);

  /** {@code history} with {@code entry} appended. */
  abstract String appended(String entry);

  /**
   * The entry of one transition, each argument an SQL expression of the dialect: {@code from} may
   * be {@code NULL}, and so may the node and the error fields.
   */
  String entry(
      String from,
      String to,
      String at,
      String attempt,
      String node,
      String errorType,
      String errorMessage) {
    return entry(List.of(from, to, at, attempt, node, errorType, errorMessage));
  }
}

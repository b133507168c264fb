package org.reportorchestrator.jdbc;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.reportorchestrator.JobId;
import org.reportorchestrator.spi.JobEvent;

/**
 * What a PostgreSQL store's notifications say, kept tiny: {@code s:} and the report type of jobs
 * that may be due, {@code c:} and the id of a job flagged for cancellation. And the channel they go
 * on. Stateless.
 */
final class EventPayloads {

  static final String SUBMITTED = "s:";
  static final String CANCELLED = "c:";

  private EventPayloads() {}

  /**
   * The channel of the store whose tables are {@code tablePrefix}* in {@code schema}: the prefix
   * (lower case, as PostgreSQL folds it), {@code events_}, and a hash of the schema, so that stores
   * on other tables, or on like-named tables in another schema of the same database, never wake
   * each other's nodes. At most 60 characters of {@code [a-z0-9_]}, safe to write into a statement.
   */
  static String channel(String schema, String tablePrefix) {
    // a prefix has at most 41 characters, well within PostgreSQL's 63 for a name
    return tablePrefix.toLowerCase(Locale.ROOT)
        + "events_"
        + String.format(Locale.ROOT, "%012x", fnv1a(schema) & 0xffff_ffff_ffffL);
  }

  /** The event a payload says; {@code null} for one this version does not know (ignored). */
  static @Nullable JobEvent parse(String payload) {
    if (payload.startsWith(SUBMITTED) && payload.length() > SUBMITTED.length()) {
      return new JobEvent.Submitted(payload.substring(SUBMITTED.length()));
    }
    if (payload.startsWith(CANCELLED)) {
      try {
        return new JobEvent.CancellationRequested(
            new JobId(UUID.fromString(payload.substring(CANCELLED.length()))));
      } catch (IllegalArgumentException notAnId) {
        return null;
      }
    }
    return null;
  }

  private static long fnv1a(String text) {
    long hash = 0xcbf29ce484222325L;
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      hash ^= b & 0xff;
      hash *= 0x100000001b3L;
    }
    return hash;
  }
}

package org.reportorchestrator;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The failure of a job's latest attempt, as stored. Immutable and thread-safe.
 *
 * @param type the fully qualified class name of the exception
 * @param message the exception's message, if it had one
 * @param stackTrace the stack trace, cut at {@link #MAX_STACK_TRACE_LENGTH} characters
 */
public record JobError(String type, @Nullable String message, String stackTrace) {

  /** Stack traces are cut to this many characters so one failure cannot bloat the store. */
  public static final int MAX_STACK_TRACE_LENGTH = 8_000;

  /** Messages are cut to this many characters. */
  public static final int MAX_MESSAGE_LENGTH = 2_000;

  public JobError {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(stackTrace, "stackTrace");
    message = message == null ? null : truncate(message, MAX_MESSAGE_LENGTH);
    stackTrace = truncate(stackTrace, MAX_STACK_TRACE_LENGTH);
  }

  /** Captures {@code failure}'s type, message and (truncated) stack trace. */
  public static JobError of(Throwable failure) {
    StringWriter trace = new StringWriter();
    try (PrintWriter writer = new PrintWriter(trace)) {
      failure.printStackTrace(writer);
    }
    return new JobError(failure.getClass().getName(), failure.getMessage(), trace.toString());
  }

  private static String truncate(String text, int limit) {
    return text.length() <= limit ? text : text.substring(0, limit - 3) + "...";
  }
}

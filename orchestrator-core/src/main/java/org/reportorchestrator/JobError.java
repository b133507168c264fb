package org.reportorchestrator;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The failure of a job's latest attempt, as stored. Immutable and thread-safe.
 *
 * <p>Its text comes from exceptions, not from users, and is always kept rather than refused: every
 * NUL character and unpaired surrogate (which no store keeps) becomes U+FFFD, and text over its
 * limit is cut at a code point boundary and ends with {@code "..."}. So what a store returns equals
 * what was constructed, on every store.
 *
 * @param type the fully qualified class name of the exception, cut at {@link #MAX_TYPE_LENGTH}
 * @param message the exception's message, if it had one, cut at {@link #MAX_MESSAGE_LENGTH}
 * @param stackTrace the stack trace, cut at {@link #MAX_STACK_TRACE_LENGTH} characters
 */
public record JobError(String type, @Nullable String message, String stackTrace) {

  /** Stack traces are cut to this many characters so one failure cannot bloat the store. */
  public static final int MAX_STACK_TRACE_LENGTH = 8_000;

  /** Messages are cut to this many characters. */
  public static final int MAX_MESSAGE_LENGTH = 2_000;

  /** Types are cut to this many characters; the JDBC store's column holds 1,000. */
  public static final int MAX_TYPE_LENGTH = 1_000;

  public JobError {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(stackTrace, "stackTrace");
    type = StoredText.sanitize(type, MAX_TYPE_LENGTH);
    message = message == null ? null : StoredText.sanitize(message, MAX_MESSAGE_LENGTH);
    stackTrace = StoredText.sanitize(stackTrace, MAX_STACK_TRACE_LENGTH);
  }

  /**
   * Captures {@code failure}'s type, message and (truncated) stack trace. Never throws on account
   * of {@code failure}: where its {@code getMessage()} or its stack trace printing throws, that
   * part records a note naming the exception that was thrown instead.
   */
  public static JobError of(Throwable failure) {
    String type = failure.getClass().getName();
    String message;
    try {
      message = failure.getMessage();
    } catch (RuntimeException e) {
      message = "<getMessage() threw " + e.getClass().getName() + ">";
    }
    String stackTrace;
    StringWriter trace = new StringWriter();
    try (PrintWriter writer = new PrintWriter(trace)) {
      failure.printStackTrace(writer);
      stackTrace = trace.toString();
    } catch (RuntimeException e) {
      // printStackTrace calls toString(), which calls getLocalizedMessage(): user code may throw
      stackTrace =
          type
              + ": <printing the stack trace threw "
              + e.getClass().getName()
              + ">"
              + System.lineSeparator()
              + trace;
    }
    return new JobError(type, message, stackTrace);
  }
}

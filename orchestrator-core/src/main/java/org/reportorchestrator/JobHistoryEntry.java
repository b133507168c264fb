package org.reportorchestrator;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One transition in a job's history, as the store recorded it together with the transition itself.
 * Immutable and thread-safe.
 *
 * @param from the state the job left; {@code null} for its submission
 * @param to the state it entered
 * @param at when, by the clock of the node that wrote it
 * @param attempt the job's attempt number after the transition
 * @param nodeId the node that held the job: the claimer of an attempt, the node whose attempt ended
 *     (also when another node rescued it after its lease ran out); {@code null} for a submission, a
 *     cancel of a queued job and an operator's retry
 * @param errorType for a failed attempt (a retry or {@code FAILED}) or a cancel with a cause: the
 *     exception's class name
 * @param errorMessage the exception's message, cut at {@link #MAX_ERROR_MESSAGE_LENGTH}; the job's
 *     {@link JobSnapshot#lastError()} keeps the whole of the latest one and its stack trace
 */
public record JobHistoryEntry(
    @Nullable JobState from,
    JobState to,
    Instant at,
    int attempt,
    @Nullable String nodeId,
    @Nullable String errorType,
    @Nullable String errorMessage) {

  /** How much of an error message each entry keeps, in characters. */
  public static final int MAX_ERROR_MESSAGE_LENGTH = 500;

  public JobHistoryEntry {
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(at, "at");
  }

  /** {@code message} cut to what a history entry keeps, without splitting a surrogate pair. */
  public static @Nullable String shortened(@Nullable String message) {
    if (message == null || message.length() <= MAX_ERROR_MESSAGE_LENGTH) {
      return message;
    }
    int end = MAX_ERROR_MESSAGE_LENGTH;
    if (Character.isHighSurrogate(message.charAt(end - 1))) {
      end--;
    }
    return message.substring(0, end);
  }
}

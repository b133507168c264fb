package org.reportorchestrator;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Per-report-type settings given at registration; unset ones fall back to the orchestrator's
 * defaults. Immutable and thread-safe.
 *
 * @param retryPolicy the retry policy for this type, or {@code null} for the default
 * @param timeout how long one attempt may run, or {@code null} for the default
 */
public record TaskOptions(@Nullable RetryPolicy retryPolicy, @Nullable Duration timeout) {

  /** No overrides. */
  public static final TaskOptions DEFAULTS = new TaskOptions(null, null);

  public TaskOptions {
    if (timeout != null) {
      ReportRequest.checkTimeout(timeout);
    }
  }

  public TaskOptions withRetryPolicy(RetryPolicy policy) {
    return new TaskOptions(Objects.requireNonNull(policy, "retryPolicy"), timeout);
  }

  public TaskOptions withTimeout(Duration newTimeout) {
    return new TaskOptions(retryPolicy, Objects.requireNonNull(newTimeout, "timeout"));
  }
}

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
 * @param maxRunningInCluster the most jobs of this type that may run at once across every node
 *     sharing the store, at least 1; {@code null} for no limit
 */
public record TaskOptions(
    @Nullable RetryPolicy retryPolicy,
    @Nullable Duration timeout,
    @Nullable Integer maxRunningInCluster) {

  /** No overrides. */
  public static final TaskOptions DEFAULTS = new TaskOptions(null, null, null);

  public TaskOptions {
    if (timeout != null) {
      ReportRequest.checkTimeout(timeout);
    }
    if (maxRunningInCluster != null) {
      checkMaxRunningInCluster(maxRunningInCluster);
    }
  }

  /** Options without a cluster-wide limit. */
  public TaskOptions(@Nullable RetryPolicy retryPolicy, @Nullable Duration timeout) {
    this(retryPolicy, timeout, null);
  }

  public TaskOptions withRetryPolicy(RetryPolicy policy) {
    return new TaskOptions(
        Objects.requireNonNull(policy, "retryPolicy"), timeout, maxRunningInCluster);
  }

  public TaskOptions withTimeout(Duration newTimeout) {
    return new TaskOptions(
        retryPolicy, Objects.requireNonNull(newTimeout, "timeout"), maxRunningInCluster);
  }

  /**
   * At most {@code limit} jobs of this type run at once across the whole cluster: every node that
   * shares the store, whatever its number of workers. For reports that load one downstream system
   * and must not run more than so many at a time. Enforced by the store inside the claim, so nodes
   * claiming at once never exceed it together; jobs of other types are claimed as before. Every
   * node that runs the type must register it with the same limit: each node enforces its own
   * configured value against the cluster-wide count of running jobs.
   *
   * @param limit at least 1
   * @throws IllegalArgumentException if {@code limit} is below 1, naming the setting
   */
  public TaskOptions withMaxRunningInCluster(int limit) {
    return new TaskOptions(retryPolicy, timeout, checkMaxRunningInCluster(limit));
  }

  private static int checkMaxRunningInCluster(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("maxRunningInCluster must be at least 1: " + limit);
    }
    return limit;
  }
}

package org.reportorchestrator;

import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Per-report-type settings given at registration; unset ones fall back to the orchestrator's
 * defaults. Immutable and thread-safe.
 *
 * @param retryPolicy the retry policy for this type, or {@code null} for the default
 * @param timeout how long one attempt may run, or {@code null} for the default
 * @param maxRunningInCluster the most jobs of this type that may run at once across every node
 *     sharing the store, at least 1; {@code null} for no limit
 * @param requiredParameters the parameters every request for this type must give, with a value that
 *     is not blank; checked at submit (see {@link #withRequiredParameters(String...)})
 */
public record TaskOptions(
    @Nullable RetryPolicy retryPolicy,
    @Nullable Duration timeout,
    @Nullable Integer maxRunningInCluster,
    Set<String> requiredParameters) {

  /** No overrides. */
  public static final TaskOptions DEFAULTS = new TaskOptions(null, null, null, Set.of());

  public TaskOptions {
    if (timeout != null) {
      ReportRequest.checkTimeout(timeout);
    }
    if (maxRunningInCluster != null) {
      checkMaxRunningInCluster(maxRunningInCluster);
    }
    requiredParameters = checkRequiredParameters(requiredParameters);
  }

  /** Options that require no parameters. */
  public TaskOptions(
      @Nullable RetryPolicy retryPolicy,
      @Nullable Duration timeout,
      @Nullable Integer maxRunningInCluster) {
    this(retryPolicy, timeout, maxRunningInCluster, Set.of());
  }

  /** Options without a cluster-wide limit that require no parameters. */
  public TaskOptions(@Nullable RetryPolicy retryPolicy, @Nullable Duration timeout) {
    this(retryPolicy, timeout, null, Set.of());
  }

  public TaskOptions withRetryPolicy(RetryPolicy policy) {
    return new TaskOptions(
        Objects.requireNonNull(policy, "retryPolicy"),
        timeout,
        maxRunningInCluster,
        requiredParameters);
  }

  public TaskOptions withTimeout(Duration newTimeout) {
    return new TaskOptions(
        retryPolicy,
        Objects.requireNonNull(newTimeout, "timeout"),
        maxRunningInCluster,
        requiredParameters);
  }

  /**
   * Every request for this type must give these parameters, each with a value that is not blank. A
   * submit that misses one fails at once with a {@link ReportParameterException} naming the
   * parameter and the report type, and stores nothing, instead of storing a job that could only
   * fail when it runs. The check is made by the node that submits, so a {@link
   * ReportOrchestrator.Builder#submitOnly(String, TaskOptions) submit-only} node needs the same
   * options as the workers. Replaces any required parameters set before.
   *
   * @param names parameter names, none of them null or blank
   * @throws IllegalArgumentException if a name is null or blank
   */
  public TaskOptions withRequiredParameters(String... names) {
    Objects.requireNonNull(names, "names");
    return new TaskOptions(
        retryPolicy, timeout, maxRunningInCluster, new LinkedHashSet<>(Arrays.asList(names)));
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
    return new TaskOptions(
        retryPolicy, timeout, checkMaxRunningInCluster(limit), requiredParameters);
  }

  /** Keeps the caller's order, which is the order a submit checks (and names) them in. */
  private static Set<String> checkRequiredParameters(@Nullable Set<String> names) {
    if (names == null) {
      throw new IllegalArgumentException("requiredParameters must not be null (use an empty set)");
    }
    Set<String> copy = new LinkedHashSet<>();
    for (String name : names) {
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException(
            "requiredParameters must not contain a null or blank name: " + names);
      }
      copy.add(name);
    }
    return Collections.unmodifiableSet(copy);
  }

  private static int checkMaxRunningInCluster(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("maxRunningInCluster must be at least 1: " + limit);
    }
    return limit;
  }
}

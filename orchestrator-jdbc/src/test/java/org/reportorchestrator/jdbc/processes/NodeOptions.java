package org.reportorchestrator.jdbc.processes;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How to start one node process; see {@link NodeMain} for what each option does. Immutable; the
 * {@code with...} methods return changed copies.
 */
record NodeOptions(
    String node,
    int workers,
    Duration lease,
    Duration poll,
    Duration grace,
    int maxAttempts,
    String task,
    int sleepMinMs,
    int sleepMaxMs,
    int submitJobs) {

  /** A node of 4 workers running no-op tasks, 3 s leases, 200 ms polls, 3 attempts. */
  static NodeOptions node(String name) {
    return new NodeOptions(
        name,
        4,
        Duration.ofSeconds(3),
        Duration.ofMillis(200),
        Duration.ofSeconds(2),
        3,
        "noop",
        0,
        0,
        0);
  }

  NodeOptions withWorkers(int count) {
    return new NodeOptions(
        node, count, lease, poll, grace, maxAttempts, task, sleepMinMs, sleepMaxMs, submitJobs);
  }

  NodeOptions withLease(Duration duration) {
    return new NodeOptions(
        node,
        workers,
        duration,
        poll,
        grace,
        maxAttempts,
        task,
        sleepMinMs,
        sleepMaxMs,
        submitJobs);
  }

  NodeOptions withPoll(Duration interval) {
    return new NodeOptions(
        node,
        workers,
        lease,
        interval,
        grace,
        maxAttempts,
        task,
        sleepMinMs,
        sleepMaxMs,
        submitJobs);
  }

  NodeOptions withMaxAttempts(int attempts) {
    return new NodeOptions(
        node, workers, lease, poll, grace, attempts, task, sleepMinMs, sleepMaxMs, submitJobs);
  }

  /** Tasks that sleep a uniformly random time between the bounds, in milliseconds. */
  NodeOptions sleeping(int minMs, int maxMs) {
    return new NodeOptions(
        node, workers, lease, poll, grace, maxAttempts, "sleep", minMs, maxMs, submitJobs);
  }

  /** The node also submits {@code count} jobs itself once started. */
  NodeOptions submitting(int count) {
    return new NodeOptions(
        node, workers, lease, poll, grace, maxAttempts, task, sleepMinMs, sleepMaxMs, count);
  }

  List<String> arguments(String jdbcUrl, String tablePrefix) {
    List<String> args = new ArrayList<>();
    args.add("--jdbc-url=" + jdbcUrl);
    args.add("--table-prefix=" + tablePrefix);
    args.add("--node=" + node);
    args.add("--workers=" + workers);
    args.add("--lease-ms=" + lease.toMillis());
    args.add("--poll-ms=" + poll.toMillis());
    args.add("--grace-ms=" + grace.toMillis());
    args.add("--max-attempts=" + maxAttempts);
    args.add("--task=" + task);
    args.add("--sleep-min-ms=" + sleepMinMs);
    args.add("--sleep-max-ms=" + sleepMaxMs);
    args.add("--submit-jobs=" + submitJobs);
    return args;
  }
}

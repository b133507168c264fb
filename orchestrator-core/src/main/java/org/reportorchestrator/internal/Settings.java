package org.reportorchestrator.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadFactory;
import org.jspecify.annotations.Nullable;
import org.reportorchestrator.JobListener;
import org.reportorchestrator.OrchestratorMetrics;
import org.reportorchestrator.ReportTask;
import org.reportorchestrator.RetryPolicy;
import org.reportorchestrator.Schedule;
import org.reportorchestrator.TaskOptions;
import org.reportorchestrator.spi.JobRepository;

/** The orchestrator's validated configuration, fixed at build time. */
public record Settings(
    JobRepository repository,
    Clock clock,
    String nodeId,
    int workerCount,
    Duration pollInterval,
    Duration leaseDuration,
    RetryPolicy retryPolicy,
    Duration defaultTimeout,
    Duration shutdownGracePeriod,
    @Nullable Duration retention,
    Map<String, Registration> tasks,
    Map<String, TaskOptions> submitOnlyTypes,
    List<JobListener> listeners,
    @Nullable ThreadFactory threadFactory,
    Duration statisticsInterval,
    @Nullable OrchestratorMetrics metrics,
    List<Schedule> schedules) {

  public Settings {
    schedules = List.copyOf(schedules);
    tasks = Map.copyOf(tasks);
    submitOnlyTypes = Map.copyOf(submitOnlyTypes);
    listeners = List.copyOf(listeners);
  }

  /** The same settings on another store: the node's own view of the host's store. */
  Settings withRepository(JobRepository other) {
    return new Settings(
        other,
        clock,
        nodeId,
        workerCount,
        pollInterval,
        leaseDuration,
        retryPolicy,
        defaultTimeout,
        shutdownGracePeriod,
        retention,
        tasks,
        submitOnlyTypes,
        listeners,
        threadFactory,
        statisticsInterval,
        metrics,
        schedules);
  }

  /** A task registered for one report type. */
  public record Registration(String reportType, ReportTask task, TaskOptions options) {}

  /** Heartbeats come three times per lease, so two can be lost before the lease runs out. */
  Duration heartbeatInterval() {
    return leaseDuration.dividedBy(3);
  }

  /** Whether this node may submit jobs of {@code reportType}: it runs them, or declared them. */
  boolean accepts(String reportType) {
    return tasks.containsKey(reportType) || submitOnlyTypes.containsKey(reportType);
  }

  /** Every report type this node may submit. */
  Set<String> acceptedTypes() {
    Set<String> types = new TreeSet<>(tasks.keySet());
    types.addAll(submitOnlyTypes.keySet());
    return types;
  }

  /**
   * Per report type this node runs, the most jobs of it that may run at once in the whole cluster;
   * unlimited types are absent.
   */
  Map<String, Integer> runningLimits() {
    Map<String, Integer> limits = new HashMap<>();
    tasks.forEach(
        (type, registration) -> {
          Integer max = registration.options().maxRunningInCluster();
          if (max != null) {
            limits.put(type, max);
          }
        });
    return Map.copyOf(limits);
  }

  RetryPolicy retryPolicyFor(String reportType) {
    RetryPolicy own = optionsFor(reportType).retryPolicy();
    return own == null ? retryPolicy : own;
  }

  Duration timeoutFor(String reportType) {
    Duration own = optionsFor(reportType).timeout();
    return own == null ? defaultTimeout : own;
  }

  Set<String> requiredParametersFor(String reportType) {
    return optionsFor(reportType).requiredParameters();
  }

  private TaskOptions optionsFor(String reportType) {
    Registration registration = tasks.get(reportType);
    if (registration != null) {
      return registration.options();
    }
    return submitOnlyTypes.getOrDefault(reportType, TaskOptions.DEFAULTS);
  }
}

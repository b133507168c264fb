package org.reportorchestrator.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadFactory;
import org.jspecify.annotations.Nullable;
import org.reportorchestrator.JobListener;
import org.reportorchestrator.ReportTask;
import org.reportorchestrator.RetryPolicy;
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
    Map<String, Registration> tasks,
    List<JobListener> listeners,
    @Nullable ThreadFactory threadFactory) {

  public Settings {
    tasks = Map.copyOf(tasks);
    listeners = List.copyOf(listeners);
  }

  /** A task registered for one report type. */
  public record Registration(String reportType, ReportTask task, TaskOptions options) {}

  /** Heartbeats come three times per lease, so two can be lost before the lease runs out. */
  Duration heartbeatInterval() {
    return leaseDuration.dividedBy(3);
  }

  RetryPolicy retryPolicyFor(String reportType) {
    Registration registration = tasks.get(reportType);
    RetryPolicy own = registration == null ? null : registration.options().retryPolicy();
    return own == null ? retryPolicy : own;
  }

  Duration timeoutFor(String reportType) {
    Registration registration = tasks.get(reportType);
    Duration own = registration == null ? null : registration.options().timeout();
    return own == null ? defaultTimeout : own;
  }
}

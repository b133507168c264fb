package org.reportorchestrator.examples.spring;

import org.reportorchestrator.ReportTask;
import org.reportorchestrator.TaskOptions;

/**
 * A {@link ReportTask} bean that names the report type it runs: every such bean in the context is
 * registered with the orchestrator under {@link #reportType()}. Implementations must be
 * thread-safe, as any {@link ReportTask}.
 */
public interface NamedReportTask extends ReportTask {

  /** The report type this task runs, unique in the application. */
  String reportType();

  /** The retry policy, timeout and running limit of this type; the orchestrator's by default. */
  default TaskOptions options() {
    return TaskOptions.DEFAULTS;
  }
}

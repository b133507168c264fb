package org.reportorchestrator.examples.web;

import java.util.Map;
import org.reportorchestrator.ReportTask;
import org.reportorchestrator.TaskOptions;

/**
 * A report type the server registers and offers, with example parameters for the status page's
 * submit form to start from. Immutable; as thread-safe as its task.
 *
 * @param name the report type
 * @param task the task that runs its jobs
 * @param options what it is registered with; its required parameters make a request that lacks one
 *     a 400 at submit rather than a job that fails when it runs
 * @param exampleParameters parameters a job of this type runs with, shown in the form
 */
record ReportType(
    String name, ReportTask task, TaskOptions options, Map<String, String> exampleParameters) {

  ReportType {
    exampleParameters = Map.copyOf(exampleParameters);
  }

  /** A type registered with the default options. */
  ReportType(String name, ReportTask task, Map<String, String> exampleParameters) {
    this(name, task, TaskOptions.DEFAULTS, exampleParameters);
  }
}

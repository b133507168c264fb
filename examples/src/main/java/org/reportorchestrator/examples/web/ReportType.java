package org.reportorchestrator.examples.web;

import java.util.Map;
import org.reportorchestrator.ReportTask;

/**
 * A report type the server registers and offers, with example parameters for the status page's
 * submit form to start from. Immutable; as thread-safe as its task.
 *
 * @param name the report type
 * @param task the task that runs its jobs
 * @param exampleParameters parameters a job of this type runs with, shown in the form
 */
record ReportType(String name, ReportTask task, Map<String, String> exampleParameters) {

  ReportType {
    exampleParameters = Map.copyOf(exampleParameters);
  }
}

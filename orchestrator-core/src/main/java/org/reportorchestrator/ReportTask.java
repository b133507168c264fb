package org.reportorchestrator;

/**
 * The host application's code for one report type. Runs on a worker thread; the same instance may
 * run several jobs at once, so implementations must be thread-safe.
 *
 * <p>Execution is at-least-once: after a crash or a lost lease an attempt may run again, so a task
 * should be safe to repeat (write its output under the job id, not append it).
 */
@FunctionalInterface
public interface ReportTask {

  /**
   * Produces the report.
   *
   * @return the result, stored with the job when it completes
   * @throws NonRetryableException to fail the job at once
   * @throws Exception any other failure, retried by the report type's retry policy
   */
  ReportResult run(ReportContext context) throws Exception;
}

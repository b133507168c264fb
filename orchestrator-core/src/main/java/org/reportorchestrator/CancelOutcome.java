package org.reportorchestrator;

/** What {@link ReportOrchestrator#cancel(JobId)} achieved. */
public enum CancelOutcome {
  /** The job had not started and is now {@code CANCELLED}. */
  CANCELLED,
  /**
   * The job is running; its task is told through {@link ReportContext} and interrupted, and the job
   * becomes {@code CANCELLED} when the task stops (or {@code COMPLETED} if it finishes first).
   */
  CANCELLATION_REQUESTED,
  /** The job had already reached a terminal state; nothing changed. */
  ALREADY_FINISHED
}

package org.reportorchestrator;

/**
 * Thrown by {@link ReportContext#throwIfCancellationRequested()} so that a task stops once its job
 * has been cancelled. A task may also throw it itself.
 */
public final class ReportCancelledException extends OrchestratorException {

  private static final long serialVersionUID = 1L;

  public ReportCancelledException(String message) {
    super(message);
  }
}

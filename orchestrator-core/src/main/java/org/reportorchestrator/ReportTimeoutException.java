package org.reportorchestrator;

import java.time.Duration;

/**
 * Recorded as a job's error when an attempt ran past its timeout. The worker thread is interrupted
 * and the attempt is retried or failed like any other failure.
 */
public final class ReportTimeoutException extends OrchestratorException {

  private static final long serialVersionUID = 1L;

  public ReportTimeoutException(Duration timeout) {
    super("attempt did not finish within its timeout of " + timeout);
  }
}

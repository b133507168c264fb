package org.reportorchestrator;

import org.jspecify.annotations.Nullable;

/**
 * Thrown by a {@link ReportTask} to fail its job at once, without the retries its policy would
 * otherwise allow: for failures that a rerun cannot fix, such as invalid parameters.
 */
public class NonRetryableException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public NonRetryableException(String message) {
    super(message);
  }

  public NonRetryableException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}

package org.reportorchestrator;

import org.jspecify.annotations.Nullable;

/**
 * Thrown by a store that refused the data itself rather than failed to be reached: a value too long
 * for its column, a character the database cannot hold, a violated constraint. Writing the same
 * data again fails again, so core does not retry it: the job ends with this error instead.
 */
public class DataRejectedException extends StorageException {

  private static final long serialVersionUID = 1L;

  public DataRejectedException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }

  public DataRejectedException(String message) {
    super(message);
  }
}

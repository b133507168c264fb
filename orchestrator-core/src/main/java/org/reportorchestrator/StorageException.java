package org.reportorchestrator;

import org.jspecify.annotations.Nullable;

/**
 * Thrown when the job store cannot be reached or refuses an operation. The cause carries the
 * store's own exception. A submit that throws this stored nothing, unless the connection broke
 * while the database answered the commit: retry submits with an idempotency key to be safe.
 */
public class StorageException extends OrchestratorException {

  private static final long serialVersionUID = 1L;

  public StorageException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }

  public StorageException(String message) {
    super(message);
  }
}

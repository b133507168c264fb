package org.reportorchestrator;

import org.jspecify.annotations.Nullable;

/** The root of every exception Report Orchestrator throws on its own account. Unchecked. */
public abstract class OrchestratorException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  protected OrchestratorException(String message) {
    super(message);
  }

  protected OrchestratorException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}

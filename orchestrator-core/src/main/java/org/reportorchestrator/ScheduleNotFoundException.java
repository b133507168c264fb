package org.reportorchestrator;

/** Thrown when an operation names a schedule that the store does not hold. */
public final class ScheduleNotFoundException extends OrchestratorException {

  private static final long serialVersionUID = 1L;

  private final String scheduleName;

  public ScheduleNotFoundException(String scheduleName) {
    super("no schedule named '" + scheduleName + "'");
    this.scheduleName = scheduleName;
  }

  public String scheduleName() {
    return scheduleName;
  }
}

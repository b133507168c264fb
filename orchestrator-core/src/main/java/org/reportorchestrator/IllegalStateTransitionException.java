package org.reportorchestrator;

/** Thrown when code asks for a transition that is not in {@link JobState}'s table. */
public final class IllegalStateTransitionException extends OrchestratorException {

  private static final long serialVersionUID = 1L;

  private final transient JobId jobId;
  private final JobState from;
  private final JobState to;

  public IllegalStateTransitionException(JobId jobId, JobState from, JobState to) {
    super("job " + jobId + ": illegal transition " + from + " -> " + to);
    this.jobId = jobId;
    this.from = from;
    this.to = to;
  }

  public JobId jobId() {
    return jobId;
  }

  public JobState from() {
    return from;
  }

  public JobState to() {
    return to;
  }
}

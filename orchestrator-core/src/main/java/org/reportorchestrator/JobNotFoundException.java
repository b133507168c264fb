package org.reportorchestrator;

/** Thrown when an operation names a job that the store does not hold. */
public final class JobNotFoundException extends OrchestratorException {

  private static final long serialVersionUID = 1L;

  private final transient JobId jobId;

  public JobNotFoundException(JobId jobId) {
    super("no job with id " + jobId);
    this.jobId = jobId;
  }

  public JobId jobId() {
    return jobId;
  }
}

package org.reportorchestrator;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Thrown by {@link ReportOrchestrator#awaitCompletion} when the job did not finish in time. The job
 * itself goes on; only the wait ended.
 */
public final class JobWaitTimeoutException extends OrchestratorException {

  private static final long serialVersionUID = 1L;

  private final transient JobId jobId;
  private final @Nullable JobState lastSeenState;

  public JobWaitTimeoutException(JobId jobId, Duration waited, @Nullable JobState lastSeenState) {
    super(
        "job " + jobId + " did not finish within " + waited + " (last seen " + lastSeenState + ")");
    this.jobId = jobId;
    this.lastSeenState = lastSeenState;
  }

  public JobId jobId() {
    return jobId;
  }

  public @Nullable JobState lastSeenState() {
    return lastSeenState;
  }
}

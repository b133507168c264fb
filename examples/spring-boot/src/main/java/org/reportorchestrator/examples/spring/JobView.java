package org.reportorchestrator.examples.spring;

import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.reportorchestrator.JobError;
import org.reportorchestrator.JobSnapshot;
import org.reportorchestrator.JobState;
import org.reportorchestrator.ResultInfo;

/**
 * A job as the HTTP API shows it: the snapshot less the stack trace and the lease owner, plus where
 * to download the result once there is one. Immutable.
 */
record JobView(
    String id,
    String reportType,
    JobState state,
    Map<String, String> parameters,
    int attempt,
    int maxAttempts,
    int progressPercent,
    @Nullable String progressMessage,
    Instant createdAt,
    Instant nextRunAt,
    @Nullable Instant finishedAt,
    @Nullable String error,
    @Nullable String result,
    @Nullable String cancelOutcome) {

  static JobView of(JobSnapshot job) {
    return of(job, null);
  }

  static JobView of(JobSnapshot job, @Nullable String cancelOutcome) {
    JobError error = job.lastError();
    ResultInfo result = job.result();
    return new JobView(
        job.id().toString(),
        job.reportType(),
        job.state(),
        job.parameters(),
        job.attempt(),
        job.maxAttempts(),
        job.progress().percent(),
        job.progress().message(),
        job.createdAt(),
        job.nextRunAt(),
        job.finishedAt(),
        error == null ? null : describe(error),
        job.state() == JobState.COMPLETED && result != null
            ? ReportController.location(job.id()) + "/result"
            : null,
        cancelOutcome);
  }

  private static String describe(JobError error) {
    String message = error.message();
    return message == null ? error.type() : error.type() + ": " + message;
  }
}

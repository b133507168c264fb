package org.reportorchestrator.internal;

import org.jspecify.annotations.Nullable;
import org.reportorchestrator.JobId;
import org.reportorchestrator.spi.StoredJob;
import org.slf4j.MDC;

/**
 * Puts a job's {@code jobId}, {@code reportType} and {@code attempt} into the logging MDC while a
 * thread works for it (a worker runs its task, the writer records its outcome, the timer ends it at
 * its deadline), and puts back what was there before: a thread may work for one job inside
 * another's scope, as the writer does when it settles a batch. Not thread-safe: one per use.
 */
final class JobMdc implements AutoCloseable {

  static final String JOB_ID = "jobId";
  static final String REPORT_TYPE = "reportType";
  static final String ATTEMPT = "attempt";

  private final @Nullable String previousJobId;
  private final @Nullable String previousReportType;
  private final @Nullable String previousAttempt;

  private JobMdc(JobId id, String reportType, int attempt) {
    previousJobId = MDC.get(JOB_ID);
    previousReportType = MDC.get(REPORT_TYPE);
    previousAttempt = MDC.get(ATTEMPT);
    MDC.put(JOB_ID, id.toString());
    MDC.put(REPORT_TYPE, reportType);
    MDC.put(ATTEMPT, Integer.toString(attempt));
  }

  static JobMdc of(StoredJob job) {
    return new JobMdc(job.id(), job.reportType(), job.attempt());
  }

  @Override
  public void close() {
    restore(JOB_ID, previousJobId);
    restore(REPORT_TYPE, previousReportType);
    restore(ATTEMPT, previousAttempt);
  }

  private static void restore(String key, @Nullable String value) {
    if (value == null) {
      MDC.remove(key);
    } else {
      MDC.put(key, value);
    }
  }
}

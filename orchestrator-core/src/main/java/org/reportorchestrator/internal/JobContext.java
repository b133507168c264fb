package org.reportorchestrator.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.reportorchestrator.JobId;
import org.reportorchestrator.Progress;
import org.reportorchestrator.ReportCancelledException;
import org.reportorchestrator.ReportContext;
import org.reportorchestrator.ReportParameterException;
import org.reportorchestrator.StorageException;
import org.reportorchestrator.spi.JobRepository;
import org.reportorchestrator.spi.ProgressUpdate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link ReportContext} of one {@link Execution}. */
final class JobContext implements ReportContext {

  private static final Logger LOG = LoggerFactory.getLogger(JobContext.class);
  private static final Duration MESSAGE_ONLY_INTERVAL = Duration.ofSeconds(1);

  private final Execution execution;
  private final JobRepository repository;
  private final Clock clock;
  private @Nullable Progress lastWritten;
  private @Nullable Instant lastWrittenAt;

  JobContext(Execution execution, JobRepository repository, Clock clock) {
    this.execution = execution;
    this.repository = repository;
    this.clock = clock;
  }

  @Override
  public JobId jobId() {
    return execution.jobId();
  }

  @Override
  public String reportType() {
    return execution.job().reportType();
  }

  @Override
  public int attempt() {
    return execution.job().attempt();
  }

  @Override
  public int maxAttempts() {
    return execution.job().maxAttempts();
  }

  @Override
  public Map<String, String> parameters() {
    return execution.job().parameters();
  }

  @Override
  public String parameter(String name) {
    String value = parameters().get(name);
    if (value == null) {
      throw new ReportParameterException(
          name, "is required by report type '" + reportType() + "' but was not given");
    }
    return value;
  }

  @Override
  public Optional<String> optionalParameter(String name) {
    return Optional.ofNullable(parameters().get(name));
  }

  @Override
  public int intParameter(String name) {
    String value = parameter(name);
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new ReportParameterException(
          name, "must be a whole number (int) but was '" + value + "'");
    }
  }

  @Override
  public long longParameter(String name) {
    String value = parameter(name);
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw new ReportParameterException(
          name, "must be a whole number (long) but was '" + value + "'");
    }
  }

  @Override
  public boolean booleanParameter(String name) {
    String value = parameter(name).trim().toLowerCase(Locale.ROOT);
    if (value.equals("true")) {
      return true;
    }
    if (value.equals("false")) {
      return false;
    }
    throw new ReportParameterException(
        name, "must be true or false but was '" + parameter(name) + "'");
  }

  @Override
  public LocalDate dateParameter(String name) {
    String value = parameter(name);
    try {
      return LocalDate.parse(value.trim());
    } catch (DateTimeParseException e) {
      throw new ReportParameterException(
          name, "must be an ISO-8601 date such as 2026-01-31 but was '" + value + "'");
    }
  }

  @Override
  public synchronized void progress(int percent, @Nullable String message) {
    Progress progress = new Progress(percent, message);
    Instant now = clock.instant();
    if (execution.isSettled() || !worthWriting(progress, now)) {
      return;
    }
    try {
      boolean stillOwned =
          repository.updateProgress(new ProgressUpdate(execution.lease(), progress, now));
      lastWritten = progress;
      lastWrittenAt = now;
      if (!stillOwned && execution.abandon()) {
        LOG.warn(
            "job {} ({}) attempt {} lost its lease to another claim; telling its task to stop and"
                + " discarding its outcome",
            jobId(),
            reportType(),
            attempt());
      }
    } catch (StorageException e) {
      // Progress is advisory: the attempt goes on, and the heartbeat decides whether we still own
      // it.
      LOG.warn(
          "could not record progress of job {} ({}) attempt {}: {}",
          jobId(),
          reportType(),
          attempt(),
          e.getMessage());
    }
  }

  /**
   * Every change of percent is written; a new message at the same percent at most once per {@link
   * #MESSAGE_ONLY_INTERVAL}, so a task that reports each row does not write each row.
   */
  private boolean worthWriting(Progress progress, Instant now) {
    Progress last = lastWritten;
    if (last == null || last.percent() != progress.percent()) {
      return true;
    }
    if (Objects.equals(last.message(), progress.message())) {
      return false;
    }
    Instant lastAt = lastWrittenAt;
    return lastAt == null || !now.isBefore(lastAt.plus(MESSAGE_ONLY_INTERVAL));
  }

  @Override
  public boolean isCancellationRequested() {
    return execution.isCancellationRequested();
  }

  @Override
  public void throwIfCancellationRequested() {
    if (execution.isCancellationRequested()) {
      throw new ReportCancelledException("job " + jobId() + " was cancelled");
    }
  }

  @Override
  public Instant deadline() {
    // a context exists only for a task a worker has started
    return Objects.requireNonNull(execution.deadline(), "deadline");
  }
}

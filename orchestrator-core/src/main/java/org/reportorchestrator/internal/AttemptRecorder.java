package org.reportorchestrator.internal;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;
import org.reportorchestrator.DataRejectedException;
import org.reportorchestrator.JobError;
import org.reportorchestrator.JobState;
import org.reportorchestrator.JobTransition;
import org.reportorchestrator.NonRetryableException;
import org.reportorchestrator.OrchestratorMetrics;
import org.reportorchestrator.ReportCancelledException;
import org.reportorchestrator.ReportResult;
import org.reportorchestrator.ResultTooLargeException;
import org.reportorchestrator.RetryPolicy;
import org.reportorchestrator.spi.Lease;
import org.reportorchestrator.spi.StoredJob;
import org.reportorchestrator.spi.Transition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides how an attempt ends (the retry rules live here) and records it: a fenced transition out
 * of {@code RUNNING}, then the listeners and waiters once the store applied it.
 */
final class AttemptRecorder {

  private static final Logger LOG = LoggerFactory.getLogger(AttemptRecorder.class);
  static final String LEASE_EXPIRED = "org.reportorchestrator.LeaseExpired";

  private final Settings settings;
  private final TransitionWriter writer;
  private final TransitionListeners listeners;
  private final JobWaiters waiters;

  AttemptRecorder(
      Settings settings,
      TransitionWriter writer,
      TransitionListeners listeners,
      JobWaiters waiters) {
    this.settings = settings;
    this.writer = writer;
    this.listeners = listeners;
    this.waiters = waiters;
  }

  /** The metrics that also hear of attempts. */
  MetricsHook metrics() {
    return listeners.metrics();
  }

  CompletableFuture<Void> succeeded(Execution execution, @Nullable ReportResult result) {
    if (result == null) {
      return failed(
          execution,
          new NonRetryableException(
              "the ReportTask for '"
                  + execution.job().reportType()
                  + "' returned null; "
                  + "return ReportResult.empty() for a report without content"));
    }
    long limit = settings.repository().maxResultBytes();
    Instant now = settings.clock().instant();
    if (result.sizeBytes() > limit) {
      // A rerun would produce the same result, so this is no failure to retry.
      return record(
          execution.job(),
          Transition.failed(
              execution.lease(),
              now,
              JobError.of(new ResultTooLargeException(result.sizeBytes(), limit))));
    }
    return record(execution.job(), Transition.completed(execution.lease(), now, result));
  }

  CompletableFuture<Void> failed(Execution execution, Throwable failure) {
    return record(execution.job(), decideAfterFailure(execution, failure));
  }

  /**
   * Gives the job back on shutdown; the interrupted attempt is not charged. A job whose task was
   * told to stop is cancelled instead, so that the cancel is not lost with the release.
   */
  CompletableFuture<Void> released(Execution execution) {
    Instant now = settings.clock().instant();
    Transition transition =
        execution.isCancellationRequested()
            ? Transition.cancelled(execution.lease(), now, null)
            : Transition.released(execution.lease(), now);
    return record(execution.job(), transition);
  }

  /**
   * Ends the attempt of a job whose owner stopped renewing its lease. The job keeps its place in
   * the queue (its due time is not moved to now), and it is failed once its attempts are used up,
   * so that a job that takes its node down every time cannot loop forever.
   */
  CompletableFuture<Void> rescued(StoredJob job) {
    Instant now = settings.clock().instant();
    boolean lastAttempt = job.attempt() >= job.maxAttempts();
    JobError error =
        new JobError(
            LEASE_EXPIRED,
            "attempt "
                + job.attempt()
                + " of "
                + job.maxAttempts()
                + " ended without an outcome: node "
                + job.ownerNode()
                + " stopped renewing its lease, which expired at "
                + job.leaseExpiresAt()
                + (lastAttempt
                    ? "; no attempts are left (a task that keeps taking its node down?)"
                    : "; the job runs again"),
            "");
    Instant keepPlace = job.runAt().isAfter(now) ? now : job.runAt();
    Transition transition =
        lastAttempt
            ? Transition.failed(job.lease(), now, error).ifLeaseExpiredBefore(now)
            : Transition.retry(job.lease(), now, keepPlace, error).ifLeaseExpiredBefore(now);
    return record(job, transition);
  }

  private Transition decideAfterFailure(Execution execution, Throwable failure) {
    StoredJob job = execution.job();
    Instant now = settings.clock().instant();
    JobError error = JobError.of(failure);
    Lease lease = execution.lease();
    if (execution.isCancellationRequested() || failure instanceof ReportCancelledException) {
      return Transition.cancelled(lease, now, error);
    }
    if (failure instanceof NonRetryableException || job.attempt() >= job.maxAttempts()) {
      return Transition.failed(lease, now, error);
    }
    RetryPolicy policy = settings.retryPolicyFor(job.reportType());
    Instant nextRun =
        now.plus(policy.backoffAfter(job.attempt(), ThreadLocalRandom.current().nextDouble()));
    return Transition.retry(lease, now, nextRun, error);
  }

  private CompletableFuture<Void> record(StoredJob job, Transition transition) {
    return record(job, transition, 0);
  }

  /**
   * @param refusals how often the store refused this attempt's outcome already
   */
  private CompletableFuture<Void> record(StoredJob job, Transition transition, int refusals) {
    StateMachine.requireLegal(job.id(), JobState.RUNNING, transition.to());
    return writer
        .write(transition)
        .handle(
            (applied, failure) -> {
              // on the writer's thread, working for this job now
              try (JobMdc mdc = JobMdc.of(job)) {
                if (failure != null) {
                  return onWriteFailed(job, transition, unwrap(failure), refusals);
                }
                if (applied) {
                  onApplied(job, transition);
                } else if (transition.leaseExpiredBefore() == null) {
                  LOG.warn(
                      "job {} ({}) was taken over by another claim while attempt {} ran here; this"
                          + " node's {} outcome was dropped",
                      job.id(),
                      job.reportType(),
                      job.attempt(),
                      transition.to());
                }
                return CompletableFuture.<Void>completedFuture(null);
              }
            })
        .thenCompose(next -> next);
  }

  /**
   * The store refused the outcome's data, or the orchestrator closed before it was written. A
   * refused outcome ends the job with the store's error, since writing it again would fail again;
   * if even that is refused, with the bare error type.
   */
  private CompletableFuture<Void> onWriteFailed(
      StoredJob job, Transition transition, Throwable failure, int refusals) {
    if (!(failure instanceof DataRejectedException rejected)
        || transition.leaseExpiredBefore() != null
        || refusals >= 2) {
      LOG.error(
          "could not record {} for job {} ({}) attempt {}; it stays RUNNING until its lease"
              + " expires, then runs again",
          transition.to(),
          job.id(),
          job.reportType(),
          job.attempt(),
          failure);
      return CompletableFuture.completedFuture(null);
    }
    // The job's FAILED line that follows carries the store's error; one line per failure.
    LOG.debug(
        "the store refused the {} outcome of job {} ({}) attempt {}; failing the job instead: {}",
        transition.to(),
        job.id(),
        job.reportType(),
        job.attempt(),
        rejected.getMessage());
    JobError error =
        refusals == 0
            ? JobError.of(rejected)
            : new JobError(rejected.getClass().getName(), null, "");
    return record(job, Transition.failed(transition.lease(), transition.at(), error), refusals + 1);
  }

  private void onApplied(StoredJob job, Transition transition) {
    int attempt = transition instanceof Transition.Released ? job.attempt() - 1 : job.attempt();
    logApplied(job, transition);
    fire(
        new JobTransition(
            job.id(),
            job.reportType(),
            JobState.RUNNING,
            transition.to(),
            transition.at(),
            attempt,
            settings.nodeId(),
            transition.error()),
        outcomeOf(transition));
    if (transition.to().isTerminal()) {
      try {
        waiters.jobFinished(job.id());
      } catch (RuntimeException e) {
        LOG.debug("could not notify waiters of job {}: {}", job.id(), e.toString());
      }
    }
  }

  private void fire(JobTransition event, OrchestratorMetrics.Outcome outcome) {
    listeners.fire(event, outcome);
  }

  private static OrchestratorMetrics.Outcome outcomeOf(Transition transition) {
    return switch (transition.to()) {
      case COMPLETED -> OrchestratorMetrics.Outcome.COMPLETED;
      case FAILED -> OrchestratorMetrics.Outcome.FAILED;
      case CANCELLED -> OrchestratorMetrics.Outcome.CANCELLED;
      case REQUESTED ->
          transition.leaseExpiredBefore() != null
              ? OrchestratorMetrics.Outcome.RESCUED
              : transition instanceof Transition.Released
                  ? OrchestratorMetrics.Outcome.RELEASED
                  : OrchestratorMetrics.Outcome.RETRIED;
      case RUNNING -> OrchestratorMetrics.Outcome.CLAIMED;
    };
  }

  private void logApplied(StoredJob job, Transition transition) {
    JobError error = transition.error();
    String cause = error == null ? "" : error.type() + ": " + error.message();
    boolean rescue = transition.leaseExpiredBefore() != null;
    switch (transition.to()) {
      case FAILED ->
          LOG.warn(
              "job {} ({}) failed on attempt {} of {}: {}",
              job.id(),
              job.reportType(),
              job.attempt(),
              job.maxAttempts(),
              cause);
      case REQUESTED -> {
        if (rescue) {
          LOG.warn(
              "rescued job {} ({}): node {} stopped renewing its lease during attempt {} of {};"
                  + " it runs again",
              job.id(),
              job.reportType(),
              job.ownerNode(),
              job.attempt(),
              job.maxAttempts());
        } else if (transition instanceof Transition.Released) {
          LOG.info(
              "released job {} ({}) unfinished at shutdown; attempt {} is not charged",
              job.id(),
              job.reportType(),
              job.attempt());
        } else {
          LOG.info(
              "job {} ({}) attempt {} of {} failed, retrying at {}: {}",
              job.id(),
              job.reportType(),
              job.attempt(),
              job.maxAttempts(),
              transition instanceof Transition.Retried retried ? retried.nextRunAt() : null,
              cause);
        }
      }
      case CANCELLED ->
          LOG.info(
              "job {} ({}) cancelled during attempt {}", job.id(), job.reportType(), job.attempt());
      default -> LOG.debug("job {} ({}) moved to {}", job.id(), job.reportType(), transition.to());
    }
  }

  private static Throwable unwrap(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause()
        : failure;
  }
}

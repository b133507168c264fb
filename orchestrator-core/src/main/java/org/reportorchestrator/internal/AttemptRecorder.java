package org.reportorchestrator.internal;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;
import org.reportorchestrator.JobError;
import org.reportorchestrator.JobState;
import org.reportorchestrator.JobTransition;
import org.reportorchestrator.NonRetryableException;
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
    if (result.sizeBytes() > limit) {
      // A rerun would produce the same result, so this is no failure to retry.
      Instant now = settings.clock().instant();
      return record(
          execution.job(),
          Transition.failed(
              execution.lease(),
              now,
              JobError.of(new ResultTooLargeException(result.sizeBytes(), limit))));
    }
    Instant now = settings.clock().instant();
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
   * Ends the attempt of a job whose owner stopped heartbeating: retried at once, or failed if it
   * had no attempts left (so a job that kills its node every time cannot loop forever).
   */
  CompletableFuture<Void> rescued(StoredJob job) {
    Instant now = settings.clock().instant();
    JobError error =
        new JobError(
            "org.reportorchestrator.LeaseExpired",
            "the lease of node "
                + job.ownerNode()
                + " expired at "
                + job.leaseExpiresAt()
                + " while the attempt ran; the node presumably stopped",
            "");
    Transition transition =
        job.attempt() >= job.maxAttempts()
            ? Transition.failed(job.lease(), now, error)
            : Transition.retry(job.lease(), now, now, error);
    return record(job, transition.ifLeaseExpiredBefore(now));
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
    StateMachine.requireLegal(job.id(), JobState.RUNNING, transition.to());
    return writer
        .write(transition)
        .handle(
            (applied, failure) -> {
              if (failure != null) {
                onWriteFailed(job, transition, unwrap(failure));
              } else if (applied) {
                onApplied(job, transition);
              } else {
                LOG.warn(
                    "job {} was taken over by another claim; its {} outcome from this node was dropped",
                    job.id(),
                    transition.to());
              }
              return null;
            });
  }

  private void onWriteFailed(StoredJob job, Transition transition, Throwable failure) {
    if (failure instanceof ResultTooLargeException tooLarge
        && transition.to() == JobState.COMPLETED) {
      record(job, Transition.failed(transition.lease(), transition.at(), JobError.of(tooLarge)));
      return;
    }
    // The job stays RUNNING under a lease nobody renews; when it expires the job is rescued.
    LOG.error(
        "could not record {} for job {}; it will be retried once its lease expires",
        transition.to(),
        job.id(),
        failure);
  }

  private void onApplied(StoredJob job, Transition transition) {
    int attempt = transition.refundAttempt() ? job.attempt() - 1 : job.attempt();
    listeners.fire(
        new JobTransition(
            job.id(),
            job.reportType(),
            JobState.RUNNING,
            transition.to(),
            transition.at(),
            attempt,
            settings.nodeId(),
            transition.error()));
    if (transition.to().isTerminal()) {
      try {
        waiters.jobFinished(job.id());
      } catch (RuntimeException e) {
        LOG.debug("could not notify waiters of job {}: {}", job.id(), e.toString());
      }
    }
  }

  private static Throwable unwrap(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause()
        : failure;
  }
}

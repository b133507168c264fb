package org.reportorchestrator.internal;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.reportorchestrator.JobId;
import org.reportorchestrator.JobListener;
import org.reportorchestrator.JobState;
import org.reportorchestrator.JobTransition;
import org.reportorchestrator.OrchestratorMetrics;
import org.reportorchestrator.spi.NewJob;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fans a written transition out to the registered listeners, shielding core from their faults, and
 * keeps each job's transitions in order: a job submitted here can be claimed by the scheduler
 * before the submitting thread has announced it (or, submitted in a host's transaction, between the
 * commit and the host running the after-commit action), so the claim's event waits for that
 * announcement.
 */
final class TransitionListeners {

  private static final Logger LOG = LoggerFactory.getLogger(TransitionListeners.class);
  private static final long MAX_WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);

  /**
   * A job submitted in a host's transaction that rolled back is never announced, so its entry
   * stays; past this many entries, those older than {@link #FORGET_AFTER_NANOS} are dropped.
   */
  private static final int PRUNE_ABOVE = 10_000;

  private static final long FORGET_AFTER_NANOS = TimeUnit.HOURS.toNanos(1);

  private final List<JobListener> listeners;
  private final MetricsHook metrics;

  /** The jobs whose submit event is owed, with when (System.nanoTime) it began to be owed. */
  private final Map<JobId, Long> announcing = new ConcurrentHashMap<>();

  TransitionListeners(List<JobListener> listeners) {
    this(listeners, new MetricsHook(null));
  }

  TransitionListeners(List<JobListener> listeners, MetricsHook metrics) {
    this.listeners = List.copyOf(listeners);
    this.metrics = metrics;
  }

  /** The metrics that hear of every transition fired here, and of attempts and store calls. */
  MetricsHook metrics() {
    return metrics;
  }

  /** Called before jobs are inserted whose {@code REQUESTED} event this thread will fire. */
  void announcing(List<JobId> ids) {
    if (!listeners.isEmpty()) {
      Long since = System.nanoTime();
      ids.forEach(id -> announcing.put(id, since));
      if (announcing.size() > PRUNE_ABOVE) {
        long cutoff = since - FORGET_AFTER_NANOS;
        announcing.values().removeIf(owedSince -> owedSince - cutoff < 0);
      }
    }
  }

  /** Called once their events were fired, or the insert failed. */
  synchronized void announced(List<JobId> ids) {
    if (!listeners.isEmpty()) {
      ids.forEach(announcing::remove);
      notifyAll();
    }
  }

  /** Fires a claim's event once the job's submit event, if this node still owes it, was fired. */
  void fireClaimed(JobTransition transition) {
    if (!listeners.isEmpty() && announcing.containsKey(transition.jobId())) {
      awaitAnnounced(transition.jobId());
    }
    fire(transition, OrchestratorMetrics.Outcome.CLAIMED);
  }

  private synchronized void awaitAnnounced(JobId id) {
    long deadline = System.nanoTime() + MAX_WAIT_NANOS;
    try {
      while (announcing.containsKey(id)) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return;
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Tells of a job that {@code nodeId} just stored: {@code null -> REQUESTED}, a submit. */
  void fireSubmitted(NewJob job, Instant at, String nodeId) {
    fire(
        new JobTransition(
            job.id(), job.reportType(), null, JobState.REQUESTED, at, 0, nodeId, null),
        OrchestratorMetrics.Outcome.SUBMITTED);
  }

  /** Counts the transition as {@code outcome} and tells every listener of it. */
  void fire(JobTransition transition, OrchestratorMetrics.Outcome outcome) {
    metrics.transition(transition.reportType(), outcome);
    for (JobListener listener : listeners) {
      try {
        listener.onTransition(transition);
      } catch (RuntimeException e) {
        LOG.warn("job listener {} failed on {}", listener, transition, e);
      }
    }
  }
}

package org.reportorchestrator.internal;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.reportorchestrator.JobId;
import org.reportorchestrator.JobNotFoundException;
import org.reportorchestrator.JobSnapshot;
import org.reportorchestrator.JobState;
import org.reportorchestrator.spi.JobRepository;
import org.reportorchestrator.spi.StoredJob;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Futures of callers waiting for jobs to finish. Completed at once when this node finishes the job,
 * and by {@link #pollAll()} for jobs that other nodes finish. Thread-safe.
 */
final class JobWaiters {

  private static final Logger LOG = LoggerFactory.getLogger(JobWaiters.class);

  private final JobRepository repository;
  private final Map<JobId, CompletableFuture<JobSnapshot>> waiting = new ConcurrentHashMap<>();

  JobWaiters(JobRepository repository) {
    this.repository = repository;
  }

  CompletableFuture<JobSnapshot> await(JobId id) {
    CompletableFuture<JobSnapshot> future =
        waiting.computeIfAbsent(id, key -> new CompletableFuture<>());
    // Read after registering, so a finish between the two is not missed.
    check(id, future);
    // Callers get a copy: cancelling or completing it must not touch the one shared future.
    return future.thenApply(snapshot -> snapshot);
  }

  /** Called after this node wrote a terminal transition. */
  void jobFinished(JobId id) {
    CompletableFuture<JobSnapshot> future = waiting.get(id);
    if (future != null) {
      check(id, future);
    }
  }

  /**
   * Asks the store about every waited-for job at once: one {@link JobRepository#states} call per
   * {@link JobRepository#MAX_IDS_PER_STATES_CALL} waited-for jobs, then a {@link
   * JobRepository#find} only of those now terminal, for their final snapshot. Waiters of jobs that
   * are no longer stored fail with {@link JobNotFoundException}. A store failure ends the poll; the
   * next tick asks again.
   */
  void pollAll() {
    List<JobId> ids = List.copyOf(waiting.keySet());
    for (int from = 0; from < ids.size(); from += JobRepository.MAX_IDS_PER_STATES_CALL) {
      List<JobId> chunk =
          ids.subList(from, Math.min(ids.size(), from + JobRepository.MAX_IDS_PER_STATES_CALL));
      try {
        Map<JobId, JobState> states = repository.states(chunk);
        for (JobId id : chunk) {
          settle(id, states.get(id));
        }
      } catch (RuntimeException e) {
        LOG.debug("could not poll {} waited-for jobs: {}", chunk.size(), e.toString());
        return;
      }
    }
  }

  /** Completes the waiters of a job whose state a poll read ({@code null}: not stored). */
  private void settle(JobId id, @Nullable JobState state) {
    CompletableFuture<JobSnapshot> future = waiting.get(id);
    if (future == null) {
      // finished on this node since the poll began
      return;
    }
    if (state == null) {
      waiting.remove(id, future);
      future.completeExceptionally(new JobNotFoundException(id));
    } else if (state.isTerminal()) {
      // reads the final snapshot; a retry may have taken the job back to REQUESTED meanwhile
      check(id, future);
    }
  }

  boolean isEmpty() {
    return waiting.isEmpty();
  }

  void closeAll(RuntimeException reason) {
    waiting.values().forEach(future -> future.completeExceptionally(reason));
    waiting.clear();
  }

  private void check(JobId id, CompletableFuture<JobSnapshot> future) {
    Optional<StoredJob> job = repository.find(id);
    if (job.isEmpty()) {
      waiting.remove(id, future);
      future.completeExceptionally(new JobNotFoundException(id));
    } else if (job.get().state().isTerminal()) {
      waiting.remove(id, future);
      future.complete(Snapshots.of(job.get()));
    }
  }
}

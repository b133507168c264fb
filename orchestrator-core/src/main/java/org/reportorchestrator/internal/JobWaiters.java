package org.reportorchestrator.internal;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.reportorchestrator.JobId;
import org.reportorchestrator.JobNotFoundException;
import org.reportorchestrator.JobSnapshot;
import org.reportorchestrator.spi.JobRepository;
import org.reportorchestrator.spi.StoredJob;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Futures of callers waiting for jobs to finish. Completed at once when this node finishes the job,
 * and by {@link #pollAll()} for jobs that other nodes finish.
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

  void pollAll() {
    for (Map.Entry<JobId, CompletableFuture<JobSnapshot>> entry : List.copyOf(waiting.entrySet())) {
      try {
        check(entry.getKey(), entry.getValue());
      } catch (RuntimeException e) {
        LOG.debug("could not poll job {}: {}", entry.getKey(), e.toString());
        return;
      }
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

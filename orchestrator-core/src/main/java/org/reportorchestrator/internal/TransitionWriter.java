package org.reportorchestrator.internal;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.reportorchestrator.DataRejectedException;
import org.reportorchestrator.StorageException;
import org.reportorchestrator.spi.JobRepository;
import org.reportorchestrator.spi.Lease;
import org.reportorchestrator.spi.StoredJob;
import org.reportorchestrator.spi.Transition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the outcomes of attempts durably, with group commit: one thread hands whatever transitions
 * are waiting to the store in a single {@link JobRepository#apply} call, so the number of commits
 * grows more slowly than the number of jobs.
 *
 * <p>Writing an outcome is not given up while the store is merely unreachable: a failed write stays
 * queued and is tried again with backoff until it goes through or the orchestrator closes. Only
 * data that the store refuses outright ({@link DataRejectedException}) ends a write with an error,
 * and then only for the transition that carried it. A write that threw may still have committed
 * (the acknowledgement of a {@code COMMIT} can be lost); such a transition is settled by reading
 * its job back, never by guessing. At most one transition per lease waits here, so the queue is
 * bounded by the leases a node holds.
 */
final class TransitionWriter {

  private static final Logger LOG = LoggerFactory.getLogger(TransitionWriter.class);

  /** The most transitions in one commit; also how many outcomes a node lets wait unwritten. */
  static final int MAX_BATCH = 256;

  private static final Duration FIRST_RETRY = Duration.ofMillis(50);
  private static final Duration LAST_RETRY = Duration.ofSeconds(2);
  private static final Comparator<Pending> BY_JOB = Comparator.comparing(p -> p.transition.jobId());

  /** A transition waiting to be written; held in the queue under the lock. */
  private static final class Pending {
    final Transition transition;
    final CompletableFuture<Boolean> applied = new CompletableFuture<>();

    /**
     * An earlier write of it threw, so it may have committed without our hearing of it. Read and
     * written by the writer thread only.
     */
    boolean outcomeUnknown;

    Pending(Transition transition) {
      this.transition = transition;
    }
  }

  private final JobRepository repository;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Condition stopRequested = lock.newCondition();
  private final Map<Lease, Pending> pending = new LinkedHashMap<>();
  private final OutageLog outage;
  private final Thread thread;
  private volatile boolean stopping;
  private boolean started;

  TransitionWriter(JobRepository repository, StoreHealth health, ThreadFactory threads) {
    this.repository = repository;
    this.outage = new OutageLog(LOG, "writing job outcomes", health);
    this.thread = threads.newThread(this::run);
  }

  void start() {
    lock.lock();
    try {
      if (!started) {
        started = true;
        thread.start();
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Queues a transition. If one for the same lease is queued already, that one's future is returned
   * and {@code transition} is dropped: a lease ends once.
   *
   * @return completes with {@code true} once the store applied it, {@code false} if its fencing
   *     condition failed (another claim owns the job, or it moved on), or exceptionally with a
   *     {@link DataRejectedException} if the store refused its data, or a {@link StorageException}
   *     if the orchestrator closed before it could be written
   */
  CompletableFuture<Boolean> write(Transition transition) {
    lock.lock();
    try {
      Pending existing = pending.get(transition.lease());
      if (existing != null) {
        return existing.applied;
      }
      Pending added = new Pending(transition);
      pending.put(transition.lease(), added);
      changed.signalAll();
      return added.applied;
    } finally {
      lock.unlock();
    }
  }

  /** Whether a transition for {@code lease} waits to be written. */
  boolean isPending(Lease lease) {
    lock.lock();
    try {
      return pending.containsKey(lease);
    } finally {
      lock.unlock();
    }
  }

  int pendingCount() {
    lock.lock();
    try {
      return pending.size();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Keeps writing until nothing is queued or {@code timeout} has passed, then stops the thread.
   * Whatever could not be written by then fails with a {@link StorageException}: its job stays
   * {@code RUNNING} under a lease that nobody renews, and another node reruns it once that expires.
   */
  void close(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    lock.lock();
    try {
      while (!pending.isEmpty() && started) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        changed.awaitNanos(left);
      }
      stopping = true;
      changed.signalAll();
      stopRequested.signalAll();
    } finally {
      lock.unlock();
    }
    if (started) {
      thread.join(TimeUnit.SECONDS.toMillis(1));
      if (thread.isAlive()) {
        // Stuck in a store call; a JDBC call may not answer the interrupt either, and then the
        // thread is left to finish on its own: close() does not hang on it.
        thread.interrupt();
        thread.join(TimeUnit.SECONDS.toMillis(5));
      }
    }
    List<Pending> left;
    lock.lock();
    try {
      left = new ArrayList<>(pending.values());
      pending.clear();
    } finally {
      lock.unlock();
    }
    if (!left.isEmpty()) {
      LOG.warn(
          "closing with {} job outcomes unwritten; those jobs stay RUNNING until their leases"
              + " expire, then another node runs them again",
          left.size());
    }
    left.forEach(
        p ->
            p.applied.completeExceptionally(
                new StorageException("orchestrator closed before the transition was written")));
  }

  private void run() {
    int failures = 0;
    while (!stopping) {
      try {
        List<Pending> batch = nextBatch();
        if (batch.isEmpty()) {
          continue;
        }
        if (write(batch)) {
          failures = 0;
        } else {
          failures++;
          pause(backoff(failures));
        }
      } catch (InterruptedException e) {
        if (stopping) {
          return;
        }
      } catch (RuntimeException | Error unexpected) {
        // The writer must outlive any fault, or every later outcome would be stranded.
        LOG.error("job outcome writer hit an unexpected failure; going on", unexpected);
        failures++;
        try {
          pause(backoff(failures));
        } catch (InterruptedException e) {
          if (stopping) {
            return;
          }
        }
      }
    }
  }

  private List<Pending> nextBatch() throws InterruptedException {
    lock.lock();
    try {
      while (pending.isEmpty() && !stopping) {
        changed.await();
      }
      List<Pending> batch = new ArrayList<>(Math.min(pending.size(), MAX_BATCH));
      for (Pending p : pending.values()) {
        batch.add(p);
        if (batch.size() == MAX_BATCH) {
          break;
        }
      }
      // Rows are locked in the order they are written; the heartbeat locks them in the same order,
      // so that the two never wait on each other in a circle (a deadlock the database would break
      // by failing one of them).
      batch.sort(BY_JOB);
      return batch;
    } finally {
      lock.unlock();
    }
  }

  /**
   * @return whether any transition of the batch was settled; {@code false} when the store could not
   *     be reached at all, so the batch stays queued and the writer backs off. A store that fails
   *     now and then still lets some through, and the writer then goes on without a pause.
   */
  private boolean write(List<Pending> batch) {
    List<Transition> transitions = new ArrayList<>(batch.size());
    batch.forEach(p -> transitions.add(p.transition));
    List<Boolean> applied;
    try {
      applied = repository.apply(transitions);
    } catch (DataRejectedException rejected) {
      outage.succeeded();
      if (batch.size() == 1) {
        finish(batch.get(0), rejected);
        return true;
      }
      // One transition spoilt the batch, and the store rolled all of it back: find that one by
      // writing them one at a time, so that its neighbours are not failed with it.
      boolean progressed = false;
      for (Pending p : batch) {
        progressed |= write(List.of(p));
      }
      return progressed;
    } catch (RuntimeException unreachable) {
      outage.failed(unreachable);
      batch.forEach(p -> p.outcomeUnknown = true);
      return false;
    }
    outage.succeeded();
    if (applied.size() != batch.size()) {
      throw new IllegalStateException(
          repository
              + " answered apply() with "
              + applied.size()
              + " results for "
              + batch.size()
              + " transitions");
    }
    boolean progressed = false;
    for (int i = 0; i < batch.size(); i++) {
      Pending p = batch.get(i);
      if (applied.get(i)) {
        finish(p, true);
        progressed = true;
      } else if (p.outcomeUnknown) {
        progressed |= settleByReadingBack(p);
      } else {
        finish(p, false);
        progressed = true;
      }
    }
    return progressed;
  }

  /**
   * The fence turned this transition away, but an earlier write of it had thrown: it may be our own
   * earlier commit that moved the job. The row tells: still holding this claim's token, in the
   * target state, stamped at the transition's instant.
   *
   * @return {@code false} if the row could not be read; the transition stays queued
   */
  private boolean settleByReadingBack(Pending p) {
    Transition transition = p.transition;
    Optional<StoredJob> stored;
    try {
      stored = repository.find(transition.jobId());
    } catch (RuntimeException unreachable) {
      outage.failed(unreachable);
      return false;
    }
    boolean ours =
        stored.isPresent()
            && stored.get().fencingToken() == transition.lease().fencingToken()
            && stored.get().state() == transition.to()
            && sameInstant(stored.get().updatedAt(), transition.at());
    finish(p, ours);
    return true;
  }

  /** Stores keep at least microseconds; a clock may give nanoseconds. */
  private static boolean sameInstant(Instant stored, Instant written) {
    return stored.equals(written)
        || stored.truncatedTo(ChronoUnit.MICROS).equals(written.truncatedTo(ChronoUnit.MICROS));
  }

  private void finish(Pending p, Object outcome) {
    lock.lock();
    try {
      pending.remove(p.transition.lease(), p);
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    if (outcome instanceof Boolean applied) {
      p.applied.complete(applied);
    } else {
      p.applied.completeExceptionally((Throwable) outcome);
    }
  }

  private void pause(Duration wait) throws InterruptedException {
    lock.lock();
    try {
      if (!stopping) {
        stopRequested.await(wait.toMillis(), TimeUnit.MILLISECONDS);
      }
    } finally {
      lock.unlock();
    }
  }

  private static Duration backoff(int failures) {
    Duration wait = FIRST_RETRY.multipliedBy(1L << Math.min(failures - 1, 10));
    return wait.compareTo(LAST_RETRY) > 0 ? LAST_RETRY : wait;
  }
}

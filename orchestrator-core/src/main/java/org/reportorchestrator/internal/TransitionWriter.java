package org.reportorchestrator.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.reportorchestrator.JobId;
import org.reportorchestrator.ResultTooLargeException;
import org.reportorchestrator.StorageException;
import org.reportorchestrator.spi.JobRepository;
import org.reportorchestrator.spi.Transition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the outcomes of attempts with group commit: one thread takes whatever transitions have
 * queued up and hands them to the store in a single {@link JobRepository#apply} call. A lone
 * transition is written at once; transitions that arrive while a write is under way share the next
 * one, so the number of commits grows more slowly than the number of jobs.
 */
final class TransitionWriter {

  private static final Logger LOG = LoggerFactory.getLogger(TransitionWriter.class);
  private static final int MAX_BATCH = 256;
  private static final List<Duration> RETRY_DELAYS =
      List.of(Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(2));

  private record Pending(Transition transition, CompletableFuture<Boolean> applied) {}

  private final JobRepository repository;
  private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private volatile boolean stopping;
  private boolean started;

  TransitionWriter(JobRepository repository, ThreadFactory threads) {
    this.repository = repository;
    this.thread = threads.newThread(this::run);
  }

  synchronized void start() {
    if (!started) {
      started = true;
      thread.start();
    }
  }

  /**
   * Queues a transition.
   *
   * @return completes with {@code true} if the store applied it, {@code false} if its fencing
   *     condition failed, or exceptionally if the store could not be written
   */
  CompletableFuture<Boolean> write(Transition transition) {
    CompletableFuture<Boolean> applied = new CompletableFuture<>();
    queue.add(new Pending(transition, applied));
    return applied;
  }

  /** Writes what is queued, then stops the thread; waits at most {@code timeout}. */
  void close(Duration timeout) throws InterruptedException {
    stopping = true;
    thread.join(timeout.toMillis());
    if (thread.isAlive()) {
      thread.interrupt();
      thread.join(timeout.toMillis());
    }
    List<Pending> left = new ArrayList<>();
    queue.drainTo(left);
    left.forEach(
        pending ->
            pending.applied.completeExceptionally(
                new StorageException("orchestrator closed before the transition was written")));
  }

  private void run() {
    List<Pending> batch = new ArrayList<>();
    while (true) {
      try {
        Pending first = queue.poll(50, TimeUnit.MILLISECONDS);
        if (first == null) {
          if (stopping) {
            return;
          }
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, MAX_BATCH - 1);
        writeBatch(batch);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        batch.forEach(p -> p.applied.completeExceptionally(e));
        return;
      } catch (Throwable unexpected) {
        // The writer must outlive any fault, or every later outcome would be stranded.
        LOG.error("transition writer failed on a batch of {}", batch.size(), unexpected);
        batch.forEach(p -> p.applied.completeExceptionally(unexpected));
      } finally {
        batch.clear();
      }
    }
  }

  private void writeBatch(List<Pending> batch) throws InterruptedException {
    if (batch.size() == 1) {
      writeOne(batch.get(0));
      return;
    }
    List<Transition> transitions = new ArrayList<>(batch.size());
    batch.forEach(p -> transitions.add(p.transition));
    try {
      Set<JobId> applied = repository.apply(transitions);
      batch.forEach(p -> p.applied.complete(applied.contains(p.transition.jobId())));
    } catch (RuntimeException e) {
      // Find the one that failed (a result too large, say) without failing its neighbours.
      for (Pending pending : batch) {
        writeOne(pending);
      }
    }
  }

  private void writeOne(Pending pending) throws InterruptedException {
    for (int attempt = 0; ; attempt++) {
      try {
        Set<JobId> applied = repository.apply(List.of(pending.transition));
        pending.applied.complete(applied.contains(pending.transition.jobId()));
        return;
      } catch (ResultTooLargeException e) {
        pending.applied.completeExceptionally(e);
        return;
      } catch (RuntimeException e) {
        if (attempt >= RETRY_DELAYS.size() || stopping) {
          pending.applied.completeExceptionally(e);
          return;
        }
        LOG.debug("writing {} failed, will retry: {}", pending.transition, e.toString());
        Thread.sleep(RETRY_DELAYS.get(attempt).toMillis());
      }
    }
  }
}

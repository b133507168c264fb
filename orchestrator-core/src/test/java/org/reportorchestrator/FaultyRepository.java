package org.reportorchestrator;

import java.io.InputStream;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.reportorchestrator.spi.ClaimRequest;
import org.reportorchestrator.spi.HeartbeatResult;
import org.reportorchestrator.spi.InsertResult;
import org.reportorchestrator.spi.JobRepository;
import org.reportorchestrator.spi.JobStatistics;
import org.reportorchestrator.spi.LeaseExtension;
import org.reportorchestrator.spi.NewJob;
import org.reportorchestrator.spi.ProgressUpdate;
import org.reportorchestrator.spi.StoredJob;
import org.reportorchestrator.spi.Transition;

/**
 * A real store behind switches that make it fail the way a database does: unreachable, losing the
 * acknowledgement of a commit that went through, refusing data, or slow to purge. What is under
 * test is the orchestrator's reaction; the store underneath is a real one. Thread-safe.
 */
public final class FaultyRepository implements JobRepository {

  /** Every call throws, as an unreachable database would. */
  public final AtomicBoolean down = new AtomicBoolean();

  /** The next this-many applies commit, then throw as if the connection broke during COMMIT. */
  public final AtomicInteger acknowledgementsToLose = new AtomicInteger();

  /** An apply with a transition that matches throws {@link DataRejectedException}, writing none. */
  public final AtomicReference<Predicate<Transition>> refuse =
      new AtomicReference<>(transition -> false);

  /** While set, applies wait for it to open, as a store call that hangs would. */
  public final AtomicReference<CountDownLatch> applyGate = new AtomicReference<>();

  /** While set, purges wait for it to open. */
  public final AtomicReference<CountDownLatch> purgeGate = new AtomicReference<>();

  /** Every transition the delegate applied, in order. */
  public final List<Transition> appliedTransitions = new CopyOnWriteArrayList<>();

  /** Claims started, and claims started but not returned yet. */
  public final AtomicInteger claimsStarted = new AtomicInteger();

  public final AtomicInteger claimsInFlight = new AtomicInteger();

  public final AtomicInteger applyCalls = new AtomicInteger();
  public final AtomicInteger failedApplies = new AtomicInteger();
  public final AtomicInteger failedClaims = new AtomicInteger();
  public final AtomicInteger failedCalls = new AtomicInteger();
  public final AtomicInteger statisticsCalls = new AtomicInteger();
  public final AtomicInteger findCalls = new AtomicInteger();

  /** How many ids each {@code states} call asked about, in order. */
  public final List<Integer> statesCalls = new CopyOnWriteArrayList<>();

  private final JobRepository delegate;

  public FaultyRepository(JobRepository delegate) {
    this.delegate = delegate;
  }

  public JobRepository delegate() {
    return delegate;
  }

  private <T> T call(Supplier<T> operation) {
    if (down.get()) {
      failedCalls.incrementAndGet();
      throw new StorageException(
          "store is down", new java.net.ConnectException("connection refused"));
    }
    return operation.get();
  }

  @Override
  public List<InsertResult> insert(List<NewJob> jobs) {
    return call(() -> delegate.insert(jobs));
  }

  @Override
  public Optional<StoredJob> insertAndClaim(NewJob job, ClaimRequest request) {
    return call(() -> delegate.insertAndClaim(job, request));
  }

  @Override
  public List<StoredJob> claim(ClaimRequest request) {
    if (down.get()) {
      failedClaims.incrementAndGet();
    }
    claimsStarted.incrementAndGet();
    claimsInFlight.incrementAndGet();
    try {
      return call(() -> delegate.claim(request));
    } finally {
      claimsInFlight.decrementAndGet();
    }
  }

  @Override
  public long maxResultBytes() {
    return delegate.maxResultBytes();
  }

  @Override
  public List<Boolean> apply(List<Transition> transitions) {
    applyCalls.incrementAndGet();
    await(applyGate.get());
    if (down.get()) {
      failedApplies.incrementAndGet();
    }
    return call(
        () -> {
          if (transitions.stream().anyMatch(refuse.get())) {
            throw new DataRejectedException("value too long for type character varying(1000)");
          }
          List<Boolean> applied = delegate.apply(transitions);
          for (int i = 0; i < transitions.size(); i++) {
            if (applied.get(i)) {
              appliedTransitions.add(transitions.get(i));
            }
          }
          if (acknowledgementsToLose.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            failedApplies.incrementAndGet();
            throw new StorageException("I/O error: connection reset while reading COMMIT's answer");
          }
          return applied;
        });
  }

  @Override
  public HeartbeatResult extendLeases(LeaseExtension extension) {
    return call(() -> delegate.extendLeases(extension));
  }

  @Override
  public boolean updateProgress(ProgressUpdate update) {
    return call(() -> delegate.updateProgress(update));
  }

  @Override
  public boolean cancelQueued(JobId id, Instant now) {
    return call(() -> delegate.cancelQueued(id, now));
  }

  @Override
  public boolean requeue(JobId id, Instant now) {
    return call(() -> delegate.requeue(id, now));
  }

  @Override
  public Optional<List<JobHistoryEntry>> history(JobId id) {
    return call(() -> delegate.history(id));
  }

  @Override
  public boolean requestCancellation(JobId id, Instant now) {
    return call(() -> delegate.requestCancellation(id, now));
  }

  @Override
  public List<StoredJob> findExpiredLeases(Instant now, int limit) {
    return call(() -> delegate.findExpiredLeases(now, limit));
  }

  @Override
  public Optional<StoredJob> find(JobId id) {
    findCalls.incrementAndGet();
    return call(() -> delegate.find(id));
  }

  @Override
  public Map<JobId, JobState> states(Collection<JobId> ids) {
    statesCalls.add(ids.size());
    return call(() -> delegate.states(ids));
  }

  @Override
  public List<StoredJob> query(JobQuery query) {
    return call(() -> delegate.query(query));
  }

  @Override
  public Optional<InputStream> openResult(JobId id) {
    return call(() -> delegate.openResult(id));
  }

  @Override
  public int purgeFinished(Instant finishedBefore, int limit) {
    await(purgeGate.get());
    return call(() -> delegate.purgeFinished(finishedBefore, limit));
  }

  @Override
  public JobStatistics statistics(Instant now) {
    statisticsCalls.incrementAndGet();
    return call(() -> delegate.statistics(now));
  }

  /** Waits for {@code gate} to open, ignoring interrupts as a stuck JDBC call does. */
  private static void await(CountDownLatch gate) {
    if (gate == null) {
      return;
    }
    boolean interrupted = false;
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (gate.getCount() > 0 && System.nanoTime() < deadline) {
      try {
        gate.await(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}

package org.reportorchestrator.internal;

import java.io.InputStream;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.reportorchestrator.DataRejectedException;
import org.reportorchestrator.JobHistoryEntry;
import org.reportorchestrator.JobId;
import org.reportorchestrator.JobQuery;
import org.reportorchestrator.JobState;
import org.reportorchestrator.StorageException;
import org.reportorchestrator.spi.ClaimRequest;
import org.reportorchestrator.spi.HeartbeatResult;
import org.reportorchestrator.spi.InsertResult;
import org.reportorchestrator.spi.JobEventFeed;
import org.reportorchestrator.spi.JobRepository;
import org.reportorchestrator.spi.JobStatistics;
import org.reportorchestrator.spi.LeaseExtension;
import org.reportorchestrator.spi.NewJob;
import org.reportorchestrator.spi.ProgressUpdate;
import org.reportorchestrator.spi.StoredJob;
import org.reportorchestrator.spi.Transition;

/**
 * The host's store as the node uses it: every call, from any thread, tells {@link StoreHealth}
 * whether the store answered, and a failure is counted by the metrics. One place, so that neither a
 * client call nor a new store call can be forgotten. Data the store refused is an answer, not an
 * outage (the writer fails only that job), but it is still counted as a store error. Thread-safe.
 */
final class ObservedRepository implements JobRepository {

  private final JobRepository delegate;
  private final StoreHealth health;
  private final MetricsHook metrics;

  ObservedRepository(JobRepository delegate, StoreHealth health, MetricsHook metrics) {
    this.delegate = delegate;
    this.health = health;
    this.metrics = metrics;
  }

  private <T> T call(String operation, Supplier<T> call) {
    T result;
    try {
      result = call.get();
    } catch (DataRejectedException rejected) {
      health.succeeded();
      metrics.storeFailed(operation, rejected);
      throw rejected;
    } catch (StorageException failure) {
      health.failed(failure);
      metrics.storeFailed(operation, failure);
      throw failure;
    }
    // anything else (a caller's bad argument, a bug) is not the store failing to answer
    health.succeeded();
    return result;
  }

  @Override
  public List<InsertResult> insert(List<NewJob> jobs) {
    return call("insert", () -> delegate.insert(jobs));
  }

  @Override
  public List<StoredJob> claim(ClaimRequest request) {
    return call("claim", () -> delegate.claim(request));
  }

  @Override
  public Optional<StoredJob> insertAndClaim(NewJob job, ClaimRequest request) {
    return call("insert and claim", () -> delegate.insertAndClaim(job, request));
  }

  @Override
  public long maxResultBytes() {
    return delegate.maxResultBytes();
  }

  @Override
  public List<Boolean> apply(List<Transition> transitions) {
    return call("apply", () -> delegate.apply(transitions));
  }

  @Override
  public HeartbeatResult extendLeases(LeaseExtension extension) {
    return call("extendLeases", () -> delegate.extendLeases(extension));
  }

  @Override
  public boolean updateProgress(ProgressUpdate update) {
    return call("updateProgress", () -> delegate.updateProgress(update));
  }

  @Override
  public boolean cancelQueued(JobId id, Instant now) {
    return call("cancelQueued", () -> delegate.cancelQueued(id, now));
  }

  @Override
  public boolean requeue(JobId id, Instant now) {
    return call("requeue", () -> delegate.requeue(id, now));
  }

  @Override
  public Optional<List<JobHistoryEntry>> history(JobId id) {
    return call("history", () -> delegate.history(id));
  }

  @Override
  public boolean requestCancellation(JobId id, Instant now) {
    return call("requestCancellation", () -> delegate.requestCancellation(id, now));
  }

  /**
   * Not observed: the feed is a shortcut beside the store, on a connection of its own, and a feed
   * that cannot open says nothing about whether the store answers the node's calls.
   */
  @Override
  public Optional<JobEventFeed> openEventFeed() {
    return delegate.openEventFeed();
  }

  @Override
  public List<StoredJob> findExpiredLeases(Instant now, int limit) {
    return call("findExpiredLeases", () -> delegate.findExpiredLeases(now, limit));
  }

  @Override
  public Optional<StoredJob> find(JobId id) {
    return call("find", () -> delegate.find(id));
  }

  @Override
  public Map<JobId, JobState> states(Collection<JobId> ids) {
    return call("states", () -> delegate.states(ids));
  }

  @Override
  public List<StoredJob> query(JobQuery query) {
    return call("query", () -> delegate.query(query));
  }

  @Override
  public Optional<InputStream> openResult(JobId id) {
    return call("openResult", () -> delegate.openResult(id));
  }

  @Override
  public int purgeFinished(Instant finishedBefore, int limit) {
    return call("purgeFinished", () -> delegate.purgeFinished(finishedBefore, limit));
  }

  @Override
  public JobStatistics statistics(Instant now) {
    return call("statistics", () -> delegate.statistics(now));
  }

  @Override
  public String toString() {
    return delegate.toString();
  }
}

package org.reportorchestrator.internal;

import java.io.InputStream;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.reportorchestrator.JobHistoryEntry;
import org.reportorchestrator.JobId;
import org.reportorchestrator.JobQuery;
import org.reportorchestrator.JobState;
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
 * A store for tests of one part of core: every call fails the test, so that a part which reaches
 * for more of the store than the test expects is caught. Subclasses answer the calls they allow.
 */
abstract class UnusedRepository implements JobRepository {

  private static AssertionError unused(String call) {
    return new AssertionError(call + " is not used by the part under test");
  }

  @Override
  public List<InsertResult> insert(List<NewJob> jobs) {
    throw unused("insert");
  }

  @Override
  public List<StoredJob> claim(ClaimRequest request) {
    throw unused("claim");
  }

  @Override
  public List<Boolean> apply(List<Transition> transitions) {
    throw unused("apply");
  }

  @Override
  public HeartbeatResult extendLeases(LeaseExtension extension) {
    throw unused("extendLeases");
  }

  @Override
  public boolean updateProgress(ProgressUpdate update) {
    throw unused("updateProgress");
  }

  @Override
  public boolean cancelQueued(JobId id, Instant now) {
    throw unused("cancelQueued");
  }

  @Override
  public boolean requeue(JobId id, Instant now) {
    throw unused("requeue");
  }

  @Override
  public Optional<List<JobHistoryEntry>> history(JobId id) {
    throw unused("history");
  }

  @Override
  public boolean requestCancellation(JobId id, Instant now) {
    throw unused("requestCancellation");
  }

  @Override
  public List<StoredJob> findExpiredLeases(Instant now, int limit) {
    throw unused("findExpiredLeases");
  }

  @Override
  public Optional<StoredJob> find(JobId id) {
    throw unused("find");
  }

  @Override
  public Map<JobId, JobState> states(Collection<JobId> ids) {
    throw unused("states");
  }

  @Override
  public List<StoredJob> query(JobQuery query) {
    throw unused("query");
  }

  @Override
  public Optional<InputStream> openResult(JobId id) {
    throw unused("openResult");
  }

  @Override
  public int purgeFinished(Instant finishedBefore, int limit) {
    throw unused("purgeFinished");
  }

  @Override
  public JobStatistics statistics(Instant now) {
    throw unused("statistics");
  }
}

package org.reportorchestrator.inmemory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reportorchestrator.JobId;
import org.reportorchestrator.JobQuery;
import org.reportorchestrator.JobSnapshot;
import org.reportorchestrator.JobState;
import org.reportorchestrator.ReportOrchestrator;
import org.reportorchestrator.ReportRequest;
import org.reportorchestrator.ReportResult;
import org.reportorchestrator.StorageException;
import org.reportorchestrator.spi.ClaimRequest;
import org.reportorchestrator.spi.HeartbeatResult;
import org.reportorchestrator.spi.InsertResult;
import org.reportorchestrator.spi.JobRepository;
import org.reportorchestrator.spi.LeaseExtension;
import org.reportorchestrator.spi.NewJob;
import org.reportorchestrator.spi.ProgressUpdate;
import org.reportorchestrator.spi.StoredJob;
import org.reportorchestrator.spi.Transition;
import org.reportorchestrator.testing.SettableClock;

/**
 * What a store outage does to a running node. The outage is simulated by a switch in front of the
 * in-memory store: what is under test is the orchestrator's reaction, not a database's.
 */
class StoreOutageTest {

  private final SettableClock clock = new SettableClock(Instant.parse("2026-11-02T09:00:00Z"));
  private final SwitchableStore store = new SwitchableStore(new InMemoryJobRepository());
  private ReportOrchestrator orchestrator;

  @AfterEach
  void close() {
    if (orchestrator != null) {
      orchestrator.close();
    }
  }

  @Test
  void submitDuringAnOutageFailsClearlyAndStoresNothing() {
    orchestrator = builder().register("report", context -> ReportResult.empty()).build();
    store.down.set(true);

    assertThatThrownBy(() -> orchestrator.submit(ReportRequest.of("report")))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("store is down");

    store.down.set(false);
    assertThat(store.query(JobQuery.all())).isEmpty();
  }

  @Test
  void aCompletionThatCouldNotBeWrittenDuringAnOutageIsWrittenOnceTheStoreAnswers()
      throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    orchestrator =
        builder()
            .register(
                "report",
                context -> {
                  if (context.attempt() == 1) {
                    started.countDown();
                    finish.await();
                  }
                  return ReportResult.ofText("attempt " + context.attempt(), "text/plain");
                })
            .build();
    orchestrator.start();
    JobId id = orchestrator.submit(ReportRequest.of("report"));
    assertThat(started.await(60, TimeUnit.SECONDS)).isTrue();

    // The store goes down while the task runs; its completion cannot be written yet.
    store.down.set(true);
    finish.countDown();
    await().atMost(Duration.ofSeconds(60)).until(() -> store.failedApplies.get() >= 4);
    // Longer than the lease: the outcome is kept and retried, not dropped or left to a rescue.
    clock.advance(Duration.ofMinutes(11));
    store.down.set(false);

    JobSnapshot done = orchestrator.awaitCompletion(id, Duration.ofSeconds(60));
    assertThat(done.state()).isEqualTo(JobState.COMPLETED);
    assertThat(done.attempt()).isEqualTo(1);
    try (InputStream content = orchestrator.openResult(id).orElseThrow()) {
      assertThat(content.readAllBytes()).asString(StandardCharsets.UTF_8).isEqualTo("attempt 1");
    }
  }

  @Test
  void theSchedulerOutlivesAnOutageAndPicksUpWorkAfterwards() throws Exception {
    orchestrator = builder().register("report", context -> ReportResult.empty()).build();
    orchestrator.start();
    store.down.set(true);
    await().atMost(Duration.ofSeconds(60)).until(() -> store.failedClaims.get() >= 3);
    store.down.set(false);

    JobId id = orchestrator.submit(ReportRequest.of("report"));
    assertThat(orchestrator.awaitCompletion(id, Duration.ofSeconds(60)).state())
        .isEqualTo(JobState.COMPLETED);
  }

  private ReportOrchestrator.Builder builder() {
    return ReportOrchestrator.builder()
        .repository(store)
        .clock(clock)
        .pollInterval(Duration.ofMillis(20))
        .leaseDuration(Duration.ofMinutes(10));
  }

  /** Passes every call through, or throws as an unreachable database would. */
  private static final class SwitchableStore implements JobRepository {
    final AtomicBoolean down = new AtomicBoolean();
    final java.util.concurrent.atomic.AtomicInteger failedApplies =
        new java.util.concurrent.atomic.AtomicInteger();
    final java.util.concurrent.atomic.AtomicInteger failedClaims =
        new java.util.concurrent.atomic.AtomicInteger();
    private final JobRepository delegate;

    SwitchableStore(JobRepository delegate) {
      this.delegate = delegate;
    }

    private <T> T call(Supplier<T> operation) {
      if (down.get()) {
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
    public List<StoredJob> claim(ClaimRequest request) {
      if (down.get()) {
        failedClaims.incrementAndGet();
      }
      return call(() -> delegate.claim(request));
    }

    @Override
    public List<Boolean> apply(List<Transition> transitions) {
      if (down.get()) {
        failedApplies.incrementAndGet();
      }
      return call(() -> delegate.apply(transitions));
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
    public boolean requestCancellation(JobId id, Instant now) {
      return call(() -> delegate.requestCancellation(id, now));
    }

    @Override
    public List<StoredJob> findExpiredLeases(Instant now, int limit) {
      return call(() -> delegate.findExpiredLeases(now, limit));
    }

    @Override
    public Optional<StoredJob> find(JobId id) {
      return call(() -> delegate.find(id));
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
      return call(() -> delegate.purgeFinished(finishedBefore, limit));
    }
  }
}

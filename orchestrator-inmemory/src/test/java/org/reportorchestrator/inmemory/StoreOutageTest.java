package org.reportorchestrator.inmemory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reportorchestrator.FaultyRepository;
import org.reportorchestrator.JobId;
import org.reportorchestrator.JobQuery;
import org.reportorchestrator.JobSnapshot;
import org.reportorchestrator.JobState;
import org.reportorchestrator.ReportOrchestrator;
import org.reportorchestrator.ReportRequest;
import org.reportorchestrator.ReportResult;
import org.reportorchestrator.StorageException;
import org.reportorchestrator.testing.SettableClock;

/**
 * What a store outage does to a running node. The outage is simulated by a switch in front of the
 * in-memory store ({@link FaultyRepository}): what is under test is the orchestrator's reaction,
 * not a database's.
 */
class StoreOutageTest {

  private final SettableClock clock = new SettableClock(Instant.parse("2026-11-02T09:00:00Z"));
  private final FaultyRepository store = new FaultyRepository(new InMemoryJobRepository());
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
}

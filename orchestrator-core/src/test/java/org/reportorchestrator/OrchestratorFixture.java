package org.reportorchestrator;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.reportorchestrator.spi.JobRepository;
import org.reportorchestrator.testing.SettableClock;

/**
 * What the behaviour suites share: an empty store and a settable clock per test, orchestrators
 * built on them with test-friendly settings, and everything closed afterwards. A store's test
 * supplies the repository.
 */
public abstract class OrchestratorFixture {

  protected static final Instant START = Instant.parse("2026-11-02T09:00:00Z");

  /** An empty store for one test. */
  protected abstract JobRepository newRepository();

  /** Releases what {@link #newRepository()} made; called after each test. */
  protected void closeRepository(JobRepository repository) throws Exception {
    if (repository instanceof AutoCloseable closeable) {
      closeable.close();
    }
  }

  protected JobRepository repository;
  protected SettableClock clock;
  private final List<ReportOrchestrator> orchestrators = new ArrayList<>();
  private final List<CountDownLatch> gates = new CopyOnWriteArrayList<>();

  @BeforeEach
  void createRepository() {
    repository = newRepository();
    clock = new SettableClock(START);
  }

  @AfterEach
  void closeEverything() throws Exception {
    gates.forEach(CountDownLatch::countDown);
    for (ReportOrchestrator orchestrator : orchestrators) {
      orchestrator.close();
    }
    closeRepository(repository);
  }

  protected static ConditionFactory eventually() {
    return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10));
  }

  protected ReportOrchestrator.Builder builder() {
    return ReportOrchestrator.builder()
        .repository(repository)
        .clock(clock)
        .pollInterval(Duration.ofMillis(20))
        .leaseDuration(Duration.ofMinutes(10))
        .shutdownGracePeriod(Duration.ofSeconds(5))
        .retryPolicy(new RetryPolicy(3, Duration.ofSeconds(1), Duration.ofMinutes(1), 2.0, 0.0))
        .workerCount(4);
  }

  protected ReportOrchestrator started(Consumer<ReportOrchestrator.Builder> configuration) {
    ReportOrchestrator orchestrator = unstarted(configuration);
    orchestrator.start();
    return orchestrator;
  }

  protected ReportOrchestrator unstarted(Consumer<ReportOrchestrator.Builder> configuration) {
    ReportOrchestrator.Builder builder = builder();
    configuration.accept(builder);
    ReportOrchestrator orchestrator = builder.build();
    orchestrators.add(orchestrator);
    return orchestrator;
  }

  protected CountDownLatch gate() {
    CountDownLatch gate = new CountDownLatch(1);
    gates.add(gate);
    return gate;
  }
}

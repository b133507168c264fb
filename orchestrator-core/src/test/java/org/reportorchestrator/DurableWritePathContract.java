package org.reportorchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.reportorchestrator.spi.ClaimRequest;
import org.reportorchestrator.spi.StoredJob;
import org.reportorchestrator.spi.Transition;

/**
 * How the orchestrator records outcomes when the store is slow, unreachable, ambiguous about a
 * commit, or refuses data, and when it shuts down: a successful job is never failed or run twice
 * for any of these. Each test is the regression test of one defect that was found. Run against each
 * store, behind {@link FaultyRepository}.
 */
public abstract class DurableWritePathContract extends OrchestratorFixture {

  private static ReportTask waitingFor(CountDownLatch release, CountDownLatch started) {
    return context -> {
      started.countDown();
      release.await();
      return ReportResult.ofText("attempt " + context.attempt(), "text/plain");
    };
  }

  private StoredJob stored(JobId id) {
    return repository.find(id).orElseThrow();
  }

  @Test
  void closeKeepsRenewingLeasesThroughTheGracePeriod() throws Exception {
    CountDownLatch release = gate();
    CountDownLatch started = new CountDownLatch(1);
    ReportOrchestrator node =
        started(
            b ->
                b.leaseDuration(Duration.ofSeconds(3))
                    .shutdownGracePeriod(Duration.ofMinutes(5))
                    .register("report", waitingFor(release, started)));
    JobId id = node.submit(ReportRequest.of("report"));
    assertThat(started.await(60, TimeUnit.SECONDS)).isTrue();

    Thread closer = new Thread(node::close, "test-closer");
    closer.start();
    // Ten leases' worth of time passes while close() waits for the task: every step must see the
    // lease renewed past the current time, or another node would take the job and run it again.
    for (int step = 0; step < 30; step++) {
      clock.advance(Duration.ofSeconds(1));
      Instant now = clock.instant();
      eventually().until(() -> stored(id).leaseExpiresAt().isAfter(now));
    }
    release.countDown();
    closer.join(TimeUnit.SECONDS.toMillis(60));

    assertThat(closer.isAlive()).isFalse();
    StoredJob done = stored(id);
    assertThat(done.state()).isEqualTo(JobState.COMPLETED);
    assertThat(done.attempt()).isEqualTo(1);
  }

  @Test
  void closeReturnsEvenWhenAStoreCallNeverDoes() throws Exception {
    FaultyRepository faulty = new FaultyRepository(repository);
    CountDownLatch stuck = gate();
    ReportOrchestrator node =
        started(
            b ->
                b.repository(faulty)
                    .leaseDuration(Duration.ofSeconds(3))
                    .register("report", context -> ReportResult.empty()));
    faulty.applyGate.set(stuck);
    node.submit(ReportRequest.of("report"));
    eventually().until(() -> stuck.getCount() == 1 && faulty.applyCalls.get() > 0);

    Thread closer = new Thread(node::close, "test-closer");
    closer.start();
    closer.join(TimeUnit.SECONDS.toMillis(30));

    assertThat(closer.isAlive()).as("close() still waiting on the stuck store call").isFalse();
  }

  @Test
  void aSlowPurgeDoesNotHoldUpClaims() throws Exception {
    FaultyRepository faulty = new FaultyRepository(repository);
    CountDownLatch purgeGate = gate();
    faulty.purgeGate.set(purgeGate);
    ReportOrchestrator node =
        started(
            b ->
                b.repository(faulty)
                    .retainFinishedJobsFor(Duration.ofDays(1))
                    .register("report", context -> ReportResult.empty()));

    JobId id = node.submit(ReportRequest.of("report"));

    assertThat(node.awaitCompletion(id, Duration.ofSeconds(60)).state())
        .isEqualTo(JobState.COMPLETED);
    purgeGate.countDown();
  }

  @Test
  void outcomesFinishedDuringAnOutageLongerThanTheLeaseAreWrittenAfterIt() throws Exception {
    FaultyRepository faulty = new FaultyRepository(repository);
    CountDownLatch release = gate();
    CountDownLatch started = new CountDownLatch(8);
    ReportOrchestrator owner =
        started(
            b ->
                b.repository(faulty)
                    .nodeId("owner")
                    .workerCount(8)
                    .leaseDuration(Duration.ofSeconds(3))
                    .register("report", waitingFor(release, started)));
    // A second node that would rescue the owner's jobs if it took them for dead.
    started(
        b ->
            b.repository(faulty)
                .nodeId("rescuer")
                .leaseDuration(Duration.ofSeconds(3))
                .register("other", context -> ReportResult.empty()));
    List<JobId> ids = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      ids.add(owner.submit(ReportRequest.builder("report").maxAttempts(1).build()));
    }
    assertThat(started.await(60, TimeUnit.SECONDS)).isTrue();

    faulty.down.set(true);
    release.countDown();
    eventually().until(() -> faulty.failedApplies.get() >= 3);
    clock.advance(Duration.ofSeconds(10));
    eventually().until(() -> faulty.failedCalls.get() >= 10);
    faulty.down.set(false);
    clock.advance(Duration.ofSeconds(1));

    for (JobId id : ids) {
      JobSnapshot done = owner.awaitCompletion(id, Duration.ofSeconds(60));
      assertThat(done.state()).isEqualTo(JobState.COMPLETED);
      assertThat(done.attempt()).isEqualTo(1);
    }
    assertThat(faulty.appliedTransitions)
        .hasSize(8)
        .allSatisfy(t -> assertThat(t.to()).isEqualTo(JobState.COMPLETED));
  }

  @Test
  void aCommitWhoseAcknowledgementWasLostIsHeardOnceAsApplied() throws Exception {
    FaultyRepository faulty = new FaultyRepository(repository);
    Map<JobId, AtomicInteger> completions = new ConcurrentHashMap<>();
    CountDownLatch release = gate();
    CountDownLatch started = new CountDownLatch(8);
    ReportOrchestrator node =
        started(
            b ->
                b.repository(faulty)
                    .workerCount(8)
                    .listener(
                        transition -> {
                          if (transition.to() == JobState.COMPLETED) {
                            completions
                                .computeIfAbsent(transition.jobId(), id -> new AtomicInteger())
                                .incrementAndGet();
                          }
                        })
                    .register("report", waitingFor(release, started)));
    List<JobId> ids = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      ids.add(node.submit(ReportRequest.of("report")));
    }
    assertThat(started.await(60, TimeUnit.SECONDS)).isTrue();

    faulty.acknowledgementsToLose.set(1);
    release.countDown();

    for (JobId id : ids) {
      assertThat(node.awaitCompletion(id, Duration.ofSeconds(60)).state())
          .isEqualTo(JobState.COMPLETED);
    }
    eventually().until(() -> completions.size() == 8);
    assertThat(completions.values()).allSatisfy(count -> assertThat(count).hasValue(1));
    assertThat(faulty.acknowledgementsToLose).hasValue(0);
  }

  @Test
  void anOutcomeTheStoreRefusesFailsTheJobWithTheStoresErrorAtOnce() throws Exception {
    FaultyRepository faulty = new FaultyRepository(repository);
    faulty.refuse.set(
        t ->
            t instanceof Transition.Completed completed
                && "refused-by-the-store.csv".equals(completed.result().fileName()));
    ReportOrchestrator node =
        started(
            b ->
                b.repository(faulty)
                    .register(
                        "report",
                        context ->
                            ReportResult.ofText("a,b\n", "text/csv")
                                .withFileName("refused-by-the-store.csv")));

    JobId id = node.submit(ReportRequest.of("report"));

    JobSnapshot done = node.awaitCompletion(id, Duration.ofSeconds(60));
    assertThat(done.state()).isEqualTo(JobState.FAILED);
    assertThat(done.attempt()).isEqualTo(1);
    assertThat(done.lastError().type()).isEqualTo(DataRejectedException.class.getName());
    assertThat(done.lastError().message()).contains("value too long");
  }

  @Test
  void aTaskExceptionWhoseMessageThrowsStillFailsTheJob() throws Exception {
    ReportOrchestrator node =
        started(
            b ->
                b.register(
                    "report",
                    context -> {
                      throw new UnreadableException();
                    }));

    JobId id = node.submit(ReportRequest.builder("report").maxAttempts(1).build());

    JobSnapshot done = node.awaitCompletion(id, Duration.ofSeconds(60));
    assertThat(done.state()).isEqualTo(JobState.FAILED);
    assertThat(done.lastError().type()).isEqualTo(UnreadableException.class.getName());
  }

  /** An exception as badly written as some are: asking for its message throws. */
  static final class UnreadableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    @Override
    public String getMessage() {
      throw new IllegalStateException("no message for you");
    }
  }

  @Test
  void aRescuedJobKeepsItsPlaceInTheQueue() {
    ReportOrchestrator client = unstarted(b -> b.submitOnly("report"));
    JobId id = client.submit(ReportRequest.of("report"));
    Instant dueAt = stored(id).runAt();
    claimAsDeadNode(1);
    started(b -> b.register("other", context -> ReportResult.empty()));

    clock.advance(Duration.ofMinutes(5));

    eventually().until(() -> stored(id).state() == JobState.REQUESTED);
    assertThat(stored(id).runAt()).isEqualTo(dueAt);
    assertThat(stored(id).lastError().type()).isEqualTo("org.reportorchestrator.LeaseExpired");
  }

  @Test
  void aJobWhoseAttemptsKeepDyingWithTheirNodesFailsOnceItsAttemptsAreUsedUp() {
    ReportOrchestrator client = unstarted(b -> b.submitOnly("report"));
    JobId id = client.submit(ReportRequest.builder("report").maxAttempts(2).build());
    started(b -> b.register("other", context -> ReportResult.empty()));

    claimAsDeadNode(1);
    clock.advance(Duration.ofMinutes(5));
    eventually().until(() -> stored(id).state() == JobState.REQUESTED);
    claimAsDeadNode(1);
    clock.advance(Duration.ofMinutes(5));
    eventually().until(() -> stored(id).state() == JobState.FAILED);

    StoredJob failed = stored(id);
    assertThat(failed.attempt()).isEqualTo(2);
    assertThat(failed.lastError().type()).isEqualTo("org.reportorchestrator.LeaseExpired");
    assertThat(failed.lastError().message()).contains("attempt 2 of 2", "no attempts are left");
  }

  private void claimAsDeadNode(int count) {
    Instant now = clock.instant();
    List<StoredJob> claimed =
        repository.claim(
            new ClaimRequest("dead-node", Set.of("report"), count, now, now.plusSeconds(30)));
    assertThat(claimed).hasSize(count);
  }
}

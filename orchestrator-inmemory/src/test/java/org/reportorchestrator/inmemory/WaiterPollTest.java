package org.reportorchestrator.inmemory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reportorchestrator.FaultyRepository;
import org.reportorchestrator.JobId;
import org.reportorchestrator.JobSnapshot;
import org.reportorchestrator.JobState;
import org.reportorchestrator.ReportOrchestrator;
import org.reportorchestrator.ReportRequest;
import org.reportorchestrator.ReportResult;

/**
 * What a node's waiters cost the store, counted by a wrapper around the in-memory store: the timer
 * asks about all of them in one call per tick, and reads a job in full only once it finished.
 * Counts calls, never time.
 */
class WaiterPollTest {

  private static final int WAITERS = 1_000;

  private final InMemoryJobRepository shared = new InMemoryJobRepository();
  private final FaultyRepository waiterStore = new FaultyRepository(shared);
  private final List<ReportOrchestrator> nodes = new ArrayList<>();

  @AfterEach
  void close() {
    nodes.forEach(ReportOrchestrator::close);
  }

  @Test
  void aThousandWaitersCostOneStatesCallPerTickAndOneFindPerJobThatFinished() throws Exception {
    ReportOrchestrator web = node(waiterStore);
    List<JobId> ids =
        web.submitAll(
            IntStream.range(0, WAITERS).mapToObj(i -> ReportRequest.of("report")).toList());
    List<CompletableFuture<JobSnapshot>> waiting = new ArrayList<>();
    ids.forEach(id -> waiting.add(web.whenFinished(id)));
    int findsToRegister = waiterStore.findCalls.get();
    // a tick under way while the last waiters registered may have asked about fewer
    int ticksBefore = waiterStore.statesCalls.size() + 1;

    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> waiterStore.statesCalls.size() >= ticksBefore + 5);

    List<Integer> ticks = List.copyOf(waiterStore.statesCalls);
    assertThat(ticks.subList(ticksBefore, ticks.size())).containsOnly(WAITERS);
    assertThat(waiterStore.findCalls.get()).isEqualTo(findsToRegister);
    assertThat(waiting).noneMatch(CompletableFuture::isDone);

    // another node, with a store of its own over the same jobs, runs them all
    node(new FaultyRepository(shared)).start();

    CompletableFuture.allOf(waiting.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    assertThat(waiting).allMatch(future -> future.join().state() == JobState.COMPLETED);
    assertThat(waiterStore.findCalls.get() - findsToRegister).isEqualTo(WAITERS);
    assertThat(waiterStore.statesCalls).allMatch(size -> size <= WAITERS);
  }

  private ReportOrchestrator node(FaultyRepository store) {
    ReportOrchestrator node =
        ReportOrchestrator.builder()
            .repository(store)
            .register("report", context -> ReportResult.empty())
            .pollInterval(Duration.ofMillis(20))
            .build();
    nodes.add(node);
    return node;
  }
}

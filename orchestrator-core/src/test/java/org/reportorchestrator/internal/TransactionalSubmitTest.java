package org.reportorchestrator.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reportorchestrator.JobId;
import org.reportorchestrator.JobState;
import org.reportorchestrator.JobTransition;
import org.reportorchestrator.OrchestratorMetrics;
import org.reportorchestrator.ReportOrchestrator;
import org.reportorchestrator.ReportRequest;
import org.reportorchestrator.StorageException;
import org.reportorchestrator.UnknownReportTypeException;
import org.reportorchestrator.spi.EnqueueTransaction;
import org.reportorchestrator.spi.InsertResult;
import org.reportorchestrator.spi.NewJob;
import org.reportorchestrator.testing.SettableClock;

/**
 * What core does around a host's transaction, whatever the store: checks every request before the
 * transaction sees one, inserts only through the transaction (the store's own insert is never
 * called), and announces only from the after-commit action. The database side of it is pinned by
 * the JDBC store's tests on H2 and PostgreSQL.
 */
class TransactionalSubmitTest {

  private final List<JobTransition> heard = new CopyOnWriteArrayList<>();
  private final List<OrchestratorMetrics.Outcome> counted = new CopyOnWriteArrayList<>();
  private final List<String> storeFailures = new CopyOnWriteArrayList<>();
  private final ReportOrchestrator orchestrator =
      ReportOrchestrator.builder()
          .repository(new UnusedRepository() {})
          .clock(new SettableClock(Instant.parse("2026-11-30T12:00:00Z")))
          .submitOnly("invoice")
          .listener(heard::add)
          .metrics(
              new OrchestratorMetrics() {
                @Override
                public void transition(String reportType, Outcome outcome) {
                  counted.add(outcome);
                }

                @Override
                public void storeFailed(String operation, RuntimeException failure) {
                  storeFailures.add(operation);
                }
              })
          .build();

  @AfterEach
  void close() {
    orchestrator.close();
  }

  /** Records what it is given and answers as a store would; the test plays the commit. */
  private static class RecordingTransaction implements EnqueueTransaction {
    final List<NewJob> inserted = new ArrayList<>();
    final List<Runnable> afterCommit = new ArrayList<>();

    @Override
    public List<InsertResult> insert(List<NewJob> jobs) {
      inserted.addAll(jobs);
      return jobs.stream().map(job -> new InsertResult(job.id(), true)).toList();
    }

    @Override
    public void afterCommit(Runnable action) {
      afterCommit.add(action);
    }

    void commit() {
      afterCommit.forEach(Runnable::run);
    }
  }

  private static ReportRequest invoice(String order) {
    return ReportRequest.of("invoice", Map.of("order", order));
  }

  @Test
  void jobsGoThroughTheTransactionAndAreAnnouncedOnlyByTheAfterCommitAction() {
    RecordingTransaction transaction = new RecordingTransaction();

    List<JobId> ids = orchestrator.submitAll(List.of(invoice("1"), invoice("2")), transaction);

    assertThat(transaction.inserted).extracting(NewJob::id).containsExactlyElementsOf(ids);
    assertThat(transaction.inserted)
        .allSatisfy(job -> assertThat(job.reportType()).isEqualTo("invoice"));
    assertThat(transaction.afterCommit).hasSize(1);
    assertThat(heard).isEmpty();
    assertThat(counted).isEmpty();

    transaction.commit();

    assertThat(heard).extracting(JobTransition::jobId).containsExactlyElementsOf(ids);
    assertThat(heard).allSatisfy(event -> assertThat(event.to()).isEqualTo(JobState.REQUESTED));
    assertThat(counted)
        .containsExactly(
            OrchestratorMetrics.Outcome.SUBMITTED, OrchestratorMetrics.Outcome.SUBMITTED);
  }

  @Test
  void everyRequestIsCheckedBeforeTheTransactionSeesAny() {
    RecordingTransaction transaction = new RecordingTransaction();

    assertThatThrownBy(
            () ->
                orchestrator.submitAll(
                    List.of(invoice("1"), ReportRequest.of("no-such-report")), transaction))
        .isInstanceOf(UnknownReportTypeException.class);
    assertThatThrownBy(() -> orchestrator.submitAll(Collections.singletonList(null), transaction))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("null");
    assertThatThrownBy(
            () ->
                orchestrator.submitAll(
                    Collections.nCopies(ReportOrchestrator.MAX_BATCH + 1, invoice("1")),
                    transaction))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(String.valueOf(ReportOrchestrator.MAX_BATCH));
    assertThatThrownBy(() -> orchestrator.submit(invoice("1"), null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("transaction");

    assertThat(transaction.inserted).isEmpty();
    assertThat(transaction.afterCommit).isEmpty();
  }

  @Test
  void aKeyHeldByAnEarlierJobReturnsThatJobAndAnnouncesNothing() {
    JobId holder = new JobId(UUID.randomUUID());
    RecordingTransaction transaction =
        new RecordingTransaction() {
          @Override
          public List<InsertResult> insert(List<NewJob> jobs) {
            return List.of(new InsertResult(holder, false));
          }
        };

    JobId id = orchestrator.submit(invoice("1"), transaction);
    transaction.commit();

    assertThat(id).isEqualTo(holder);
    assertThat(heard).isEmpty();
    assertThat(counted).isEmpty();
  }

  @Test
  void aFailedInsertRegistersNoAfterCommitAction() {
    RecordingTransaction transaction =
        new RecordingTransaction() {
          @Override
          public List<InsertResult> insert(List<NewJob> jobs) {
            throw new StorageException("the host's connection is gone");
          }
        };

    assertThatThrownBy(() -> orchestrator.submit(invoice("1"), transaction))
        .isInstanceOf(StorageException.class);
    assertThat(transaction.afterCommit).isEmpty();
    assertThat(heard).isEmpty();
    // the host's connection failed, not the store's pool: the node's store health is untouched
    assertThat(orchestrator.health().lastStoreErrorAt()).isNull();
    assertThat(storeFailures).isEmpty();
  }

  @Test
  void aClosedOrchestratorRefusesTheSubmit() {
    RecordingTransaction transaction = new RecordingTransaction();
    orchestrator.close();

    assertThatThrownBy(() -> orchestrator.submit(invoice("1"), transaction))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThat(transaction.inserted).isEmpty();
  }
}

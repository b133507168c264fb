package org.reportorchestrator.examples.spring;

import java.sql.Connection;
import java.util.List;
import javax.sql.DataSource;
import org.reportorchestrator.JobId;
import org.reportorchestrator.ReportOrchestrator;
import org.reportorchestrator.ReportRequest;
import org.reportorchestrator.jdbc.JdbcJobRepository;
import org.reportorchestrator.spi.EnqueueTransaction;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Submits reports inside the Spring transaction that is active on the calling thread, so that a job
 * exists if and only if the transaction commits: call it from a {@code @Transactional} method that
 * also writes the application's own rows. No node can claim the job before the commit, and the
 * orchestrator hears of it only after the commit. Thread-safe.
 */
public final class TransactionalReports {

  private final ReportOrchestrator orchestrator;
  private final JdbcJobRepository store;
  private final DataSource dataSource;

  TransactionalReports(
      ReportOrchestrator orchestrator, JdbcJobRepository store, DataSource dataSource) {
    this.orchestrator = orchestrator;
    this.store = store;
    this.dataSource = dataSource;
  }

  /**
   * Stores the job in the current transaction.
   *
   * @throws IllegalStateException if no Spring transaction is active; nothing is stored
   */
  public JobId submit(ReportRequest request) {
    return submitAll(List.of(request)).get(0);
  }

  /**
   * Stores the jobs in the current transaction, all or none.
   *
   * @throws IllegalStateException if no Spring transaction is active; nothing is stored
   */
  public List<JobId> submitAll(List<ReportRequest> requests) {
    if (!TransactionSynchronizationManager.isActualTransactionActive()) {
      throw new IllegalStateException(
          "no Spring transaction is active: submit from a @Transactional method, or use"
              + " ReportOrchestrator.submit to store the job on its own");
    }
    // the connection the transaction manager bound to this thread for this DataSource
    Connection connection = DataSourceUtils.getConnection(dataSource);
    try {
      EnqueueTransaction transaction =
          store.transaction(connection, TransactionalReports::runAfterCommit);
      return orchestrator.submitAll(requests, transaction);
    } finally {
      DataSourceUtils.releaseConnection(connection, dataSource);
    }
  }

  private static void runAfterCommit(Runnable action) {
    TransactionSynchronizationManager.registerSynchronization(
        new TransactionSynchronization() {
          @Override
          public void afterCommit() {
            action.run();
          }
        });
  }
}

package org.reportorchestrator.jdbc;

import java.sql.Connection;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.reportorchestrator.spi.EnqueueTransaction;
import org.reportorchestrator.spi.InsertResult;
import org.reportorchestrator.spi.NewJob;

/**
 * A host's open transaction on one of its connections, which the store inserts jobs into; the host
 * owns the connection and ends the transaction. Not thread-safe, as the connection is not.
 */
final class CallerTransaction implements EnqueueTransaction {

  private final JdbcJobRepository store;
  private final Connection connection;
  private final Consumer<Runnable> afterCommit;

  CallerTransaction(
      JdbcJobRepository store, Connection connection, Consumer<Runnable> afterCommit) {
    this.store = store;
    this.connection = connection;
    this.afterCommit = afterCommit;
  }

  @Override
  public List<InsertResult> insert(List<NewJob> jobs) {
    Objects.requireNonNull(jobs, "jobs");
    return store.insertInto(connection, jobs);
  }

  @Override
  public void afterCommit(Runnable action) {
    afterCommit.accept(Objects.requireNonNull(action, "action"));
  }

  @Override
  public String toString() {
    return "CallerTransaction[" + store + "]";
  }
}

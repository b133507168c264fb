package org.reportorchestrator.spi;

import java.util.List;

/**
 * A host's own database transaction that jobs can be inserted into, so that they are stored if and
 * only if the host's transaction commits: "save the order and queue its invoice report" as one
 * unit. A store that can join such a transaction hands one out (the JDBC store's {@code
 * transaction(...)} methods); core's {@code ReportOrchestrator.submit(request, transaction)}
 * inserts through it and defers everything that must follow a stored job (listeners, metrics, the
 * local scheduler's wake-up) to {@link #afterCommit}.
 *
 * <p>Not thread-safe: use it on the thread that runs the host's transaction, while that transaction
 * is open.
 */
public interface EnqueueTransaction {

  /**
   * Inserts jobs inside the host's transaction, with the results and idempotency of {@link
   * JobRepository#insert}: a key already stored, or held by a transaction that commits while this
   * one waits for it, names the job that holds it. Never commits, rolls back or closes anything of
   * the host's; the jobs become visible to other transactions (and claimable) only when the host
   * commits, and vanish if it rolls back.
   *
   * @return one result per job, in the order given
   */
  List<InsertResult> insert(List<NewJob> jobs);

  /**
   * Runs {@code action} once the host's transaction has committed, on the thread that committed it;
   * never if it rolls back.
   */
  void afterCommit(Runnable action);
}

package org.reportorchestrator;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A node's health, for a host's health endpoint: see {@link ReportOrchestrator#health()} for the
 * rules behind {@link #status()}. Immutable and thread-safe.
 *
 * @param status the verdict
 * @param problems why the status is not {@code UP}, one short sentence each; empty when it is
 * @param checkedAt when this was put together, by the orchestrator's clock
 * @param runsJobs whether this node was started (and not closed): it claims and runs jobs. A node
 *     that only submits reports {@code false}, no scheduler and no workers
 * @param schedulerAlive whether the scheduler thread is alive; {@code false} on a node that does
 *     not run jobs
 * @param lastPollAt when the scheduler last began a look for due jobs; {@code null} if never
 * @param lastStoreSuccessAt when a store call of this node last succeeded; {@code null} if never
 * @param lastStoreErrorAt when a store call of this node last failed; {@code null} if never
 * @param lastStoreError that failure, as {@code exception type: message}; {@code null} if never
 * @param lag the greatest lag of any report type, from the statistics cache; {@code null} while the
 *     cache holds nothing yet
 * @param busyWorkers how many workers run a job now
 * @param workers how many workers this node runs jobs with; 0 when it does not run jobs
 */
public record OrchestratorHealth(
    Status status,
    List<String> problems,
    Instant checkedAt,
    boolean runsJobs,
    boolean schedulerAlive,
    @Nullable Instant lastPollAt,
    @Nullable Instant lastStoreSuccessAt,
    @Nullable Instant lastStoreErrorAt,
    @Nullable String lastStoreError,
    @Nullable Duration lag,
    int busyWorkers,
    int workers) {

  /** The verdict, worst last. */
  public enum Status {
    /** Everything works. */
    UP,
    /** Works, but something needs a look: a store call just failed, or the scheduler is late. */
    DEGRADED,
    /** Cannot do its work: the store has been failing, the scheduler died, or it is closed. */
    DOWN
  }

  public OrchestratorHealth {
    Objects.requireNonNull(status, "status");
    problems = List.copyOf(problems);
    Objects.requireNonNull(checkedAt, "checkedAt");
  }
}

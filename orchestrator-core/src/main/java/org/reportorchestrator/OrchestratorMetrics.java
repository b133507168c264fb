package org.reportorchestrator;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * Receives what the orchestrator measures, for a metrics library to record; give one to {@link
 * ReportOrchestrator.Builder#metrics(OrchestratorMetrics)}. {@code
 * org.reportorchestrator.micrometer.MicrometerMetrics} records them as Micrometer meters; this
 * interface names no metrics library, so that a host without one loads none.
 *
 * <p>The methods are called on the orchestrator's own threads, many at once, and must be quick and
 * thread-safe; an exception they throw is logged and otherwise ignored. Every method does nothing
 * unless overridden.
 */
public interface OrchestratorMetrics {

  /** How a written transition moved a job. */
  enum Outcome {
    /** Stored as {@code REQUESTED} by a submit. */
    SUBMITTED,
    /** {@code REQUESTED -> RUNNING}: claimed by this node. */
    CLAIMED,
    /** {@code RUNNING -> COMPLETED}. */
    COMPLETED,
    /** {@code RUNNING -> FAILED}: attempts used up, or a failure not worth retrying. */
    FAILED,
    /** {@code RUNNING -> REQUESTED}: an attempt failed and the job runs again after a backoff. */
    RETRIED,
    /** {@code RUNNING -> REQUESTED}: its owner's lease expired and this node took it back. */
    RESCUED,
    /** {@code RUNNING -> REQUESTED}: given back unfinished at shutdown, attempt not charged. */
    RELEASED,
    /** {@code REQUESTED -> CANCELLED} or {@code RUNNING -> CANCELLED}. */
    CANCELLED,
    /** {@code FAILED -> REQUESTED} or {@code CANCELLED -> REQUESTED}: an operator's retry. */
    REQUEUED
  }

  /**
   * What gauges read. Every method answers from memory: none waits for the store, so a scrape never
   * costs a query.
   */
  interface Gauges {

    /** The report types this node registers or submits. */
    Set<String> reportTypes();

    /** How many workers this node runs jobs with; 0 if it only submits. */
    int workers();

    /** How many workers run a job now. */
    int busyWorkers();

    /**
     * The cached statistics of the whole store; empty until the first read. A stale cache is
     * refreshed in the background, at most once per statistics interval.
     */
    Optional<QueueStatistics> statistics();
  }

  /** Called once, when the orchestrator is built, before any other method. */
  default void bind(Gauges gauges) {}

  /** A transition of a job of {@code reportType} was written by this node. */
  default void transition(String reportType, Outcome outcome) {}

  /**
   * A worker started an attempt; {@code queueWait} is how long the job had been due (from its run
   * time, the submit unless it was scheduled or retried, to this start).
   */
  default void attemptStarted(String reportType, Duration queueWait) {}

  /**
   * A worker's task returned ({@code succeeded}) or threw, after {@code runTime}. Called once per
   * {@link #attemptStarted}.
   */
  default void attemptFinished(String reportType, Duration runTime, boolean succeeded) {}

  /** A call to the store failed; {@code operation} names it ({@code claim}, {@code apply}, ...). */
  default void storeFailed(String operation, RuntimeException failure) {}

  /**
   * The orchestrator closed: nothing is called after this. An implementation removes what it
   * registered for it, so that a registry outliving the orchestrator neither keeps it reachable nor
   * reports its last values.
   */
  default void close() {}
}

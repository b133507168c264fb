package org.reportorchestrator.spi;

import java.util.Objects;
import org.reportorchestrator.JobId;

/**
 * Something another node did that a node should act on before its next poll or heartbeat, as a
 * {@link JobEventFeed} tells it. An event is a hint, never the truth: the node still claims and
 * renews through the store, so a lost or duplicated event delays or repeats a look, nothing more.
 * Immutable.
 */
public sealed interface JobEvent permits JobEvent.Submitted, JobEvent.CancellationRequested {

  /**
   * Jobs of {@code reportType} were stored, requeued or put back to {@code REQUESTED}, and may be
   * due now: worth a claim.
   */
  record Submitted(String reportType) implements JobEvent {
    public Submitted {
      Objects.requireNonNull(reportType, "reportType");
    }
  }

  /**
   * {@link JobRepository#requestCancellation} flagged the running job {@code jobId}: its owner
   * should tell the task now rather than at its next heartbeat.
   */
  record CancellationRequested(JobId jobId) implements JobEvent {
    public CancellationRequested {
      Objects.requireNonNull(jobId, "jobId");
    }
  }
}

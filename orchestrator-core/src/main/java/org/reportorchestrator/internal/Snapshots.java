package org.reportorchestrator.internal;

import org.reportorchestrator.JobSnapshot;
import org.reportorchestrator.spi.StoredJob;

/** Turns stored rows into the API's snapshots, dropping what only storage needs. */
public final class Snapshots {

  private Snapshots() {}

  public static JobSnapshot of(StoredJob job) {
    return new JobSnapshot(
        job.id(),
        job.reportType(),
        job.parameters(),
        job.state(),
        job.attempt(),
        job.maxAttempts(),
        job.priority(),
        job.idempotencyKey(),
        job.timeout(),
        job.createdAt(),
        job.updatedAt(),
        job.startedAt(),
        job.finishedAt(),
        job.runAt(),
        job.progress(),
        job.lastError(),
        job.result(),
        job.ownerNode(),
        job.cancellationRequested());
  }
}

package org.reportorchestrator.spi;

import java.time.Instant;
import java.util.Objects;
import org.reportorchestrator.Progress;

/**
 * A running task's progress, written only if the job is still {@code RUNNING} under the lease's
 * token.
 *
 * @param lease the claim the task runs under
 * @param progress the new progress
 * @param now the current time, stored as {@code updatedAt}
 */
public record ProgressUpdate(Lease lease, Progress progress, Instant now) {

  public ProgressUpdate {
    Objects.requireNonNull(lease, "lease");
    Objects.requireNonNull(progress, "progress");
    Objects.requireNonNull(now, "now");
  }
}

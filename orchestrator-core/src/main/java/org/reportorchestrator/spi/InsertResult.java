package org.reportorchestrator.spi;

import java.util.Objects;
import org.reportorchestrator.JobId;

/**
 * The outcome of inserting one {@link NewJob}.
 *
 * @param id the id of the stored job: the new job's, or the earlier job's that holds the same
 *     idempotency key
 * @param created {@code true} if this call stored a new job
 */
public record InsertResult(JobId id, boolean created) {

  public InsertResult {
    Objects.requireNonNull(id, "id");
  }
}

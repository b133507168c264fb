package org.reportorchestrator.spi;

import java.util.Objects;
import org.reportorchestrator.JobId;

/**
 * A claim on one running job: its id and the fencing token that claim received.
 *
 * @param jobId the job
 * @param fencingToken the token of the claim
 */
public record Lease(JobId jobId, long fencingToken) {

  public Lease {
    Objects.requireNonNull(jobId, "jobId");
  }
}

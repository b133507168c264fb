package org.reportorchestrator.spi;

import java.util.Set;
import org.reportorchestrator.JobId;

/**
 * What a heartbeat found.
 *
 * @param lost jobs whose lease was not extended: no longer {@code RUNNING} under that token
 * @param cancellationRequested extended jobs that somebody asked to cancel
 */
public record HeartbeatResult(Set<JobId> lost, Set<JobId> cancellationRequested) {

  public HeartbeatResult {
    lost = Set.copyOf(lost);
    cancellationRequested = Set.copyOf(cancellationRequested);
  }
}

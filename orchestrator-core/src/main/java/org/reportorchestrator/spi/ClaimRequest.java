package org.reportorchestrator.spi;

import java.time.Instant;
import java.util.Objects;

/**
 * Asks to claim due jobs: those {@code REQUESTED} with {@code runAt <= now}, highest priority
 * first, then earliest {@code runAt}, then earliest {@code createdAt}. Each claimed job becomes
 * {@code RUNNING} with {@code attempt + 1}, owner {@code nodeId}, {@code startedAt = now}, lease
 * until {@code leaseExpiresAt}, a fencing token above every earlier one of that job, cleared
 * progress and a cleared cancellation flag.
 *
 * @param nodeId the claiming node
 * @param limit the most jobs to claim, at least 1
 * @param now the current time
 * @param leaseExpiresAt when the new leases run out
 */
public record ClaimRequest(String nodeId, int limit, Instant now, Instant leaseExpiresAt) {

  public ClaimRequest {
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(leaseExpiresAt, "leaseExpiresAt");
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1: " + limit);
    }
  }
}

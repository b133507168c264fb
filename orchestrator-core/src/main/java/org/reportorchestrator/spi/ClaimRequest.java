package org.reportorchestrator.spi;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * Asks to claim due jobs: those {@code REQUESTED} with {@code runAt <= now} and a report type in
 * {@code reportTypes} (the types this node can run), highest priority first, then earliest {@code
 * runAt}, then earliest {@code createdAt}, then lowest id (ids made in one node grow with submit
 * order). Each claimed job becomes {@code RUNNING} with {@code attempt + 1}, owner {@code nodeId},
 * {@code startedAt = now}, lease until {@code leaseExpiresAt}, a fencing token above every earlier
 * one of that job and cleared progress. A cancellation flag set while an earlier attempt ran is
 * kept, so that the claimer sees it and cancels the job instead of running it. The claimed jobs may
 * be returned in any order (a database's {@code UPDATE ... RETURNING} keeps none); callers must not
 * rely on it.
 *
 * @param nodeId the claiming node
 * @param reportTypes the report types to claim; never empty
 * @param limit the most jobs to claim, at least 1
 * @param now the current time
 * @param leaseExpiresAt when the new leases run out
 */
public record ClaimRequest(
    String nodeId, Set<String> reportTypes, int limit, Instant now, Instant leaseExpiresAt) {

  public ClaimRequest {
    Objects.requireNonNull(nodeId, "nodeId");
    reportTypes = Set.copyOf(reportTypes);
    if (reportTypes.isEmpty()) {
      throw new IllegalArgumentException("reportTypes must not be empty");
    }
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(leaseExpiresAt, "leaseExpiresAt");
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1: " + limit);
    }
  }
}

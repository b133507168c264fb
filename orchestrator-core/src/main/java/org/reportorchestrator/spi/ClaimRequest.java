package org.reportorchestrator.spi;

import java.time.Instant;
import java.util.Map;
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
 * <p><b>Running limits.</b> A report type in {@code runningLimits} may have at most that many
 * {@code RUNNING} jobs in the store: after the claim, the number of {@code RUNNING} jobs of a
 * limited type never exceeds its limit, whatever other claims (from this node or any other sharing
 * the store) run at the same time. So a claim takes at most {@code limit - running} jobs of such a
 * type, {@code running} counted atomically with the claim (a store serialises the claims of a
 * limited type, or counts and claims under one lock), and none if the type is at or above its limit
 * already. Jobs of the other types are claimed as usual and are never held back by a limited type
 * at its limit. Within each type the claim order above holds; across types, a store may fill the
 * limited types' share of {@code limit} before the others'. Types absent from the map are
 * unlimited; an entry for a type not in {@code reportTypes} is ignored. Transitions out of {@code
 * RUNNING} (completions, failures, rescues, releases) only lower the count and need no such lock.
 *
 * @param nodeId the claiming node
 * @param reportTypes the report types to claim; never empty
 * @param limit the most jobs to claim, at least 1
 * @param now the current time
 * @param leaseExpiresAt when the new leases run out
 * @param runningLimits per report type, the most jobs that may be {@code RUNNING} at once in the
 *     whole store, each at least 1; types absent are unlimited
 */
public record ClaimRequest(
    String nodeId,
    Set<String> reportTypes,
    int limit,
    Instant now,
    Instant leaseExpiresAt,
    Map<String, Integer> runningLimits) {

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
    runningLimits = Map.copyOf(runningLimits);
    runningLimits.forEach(
        (type, max) -> {
          if (max < 1) {
            throw new IllegalArgumentException(
                "runningLimits of '" + type + "' must be at least 1: " + max);
          }
        });
  }

  /** A claim without running limits: every type unlimited. */
  public ClaimRequest(
      String nodeId, Set<String> reportTypes, int limit, Instant now, Instant leaseExpiresAt) {
    this(nodeId, reportTypes, limit, now, leaseExpiresAt, Map.of());
  }

  /** Whether any of the requested types has a running limit. */
  public boolean hasRunningLimits() {
    for (String type : runningLimits.keySet()) {
      if (reportTypes.contains(type)) {
        return true;
      }
    }
    return false;
  }
}

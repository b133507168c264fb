package org.reportorchestrator.spi;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A heartbeat: extends the leases of a node's running jobs to {@code expiresAt}, each only if the
 * job is still {@code RUNNING} with the lease's fencing token.
 *
 * @param nodeId the node sending the heartbeat
 * @param leases the leases to extend
 * @param now the current time
 * @param expiresAt the new lease expiry
 */
public record LeaseExtension(String nodeId, List<Lease> leases, Instant now, Instant expiresAt) {

  public LeaseExtension {
    Objects.requireNonNull(nodeId, "nodeId");
    leases = List.copyOf(leases);
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(expiresAt, "expiresAt");
  }
}

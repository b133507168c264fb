package org.reportorchestrator.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * What this node's threads have seen of the store lately, shared among them. After an outage every
 * owner's leases have run out at once; rescuing them the moment the store answers again would take
 * live jobs from healthy nodes. So rescues wait until the store has answered for {@code settle}
 * since the last failure any thread of this node saw, which gives owners time to renew first.
 * Thread-safe.
 */
final class StoreHealth {

  private final Clock clock;
  private final Duration settle;
  private @Nullable Instant lastFailure;
  private @Nullable Instant recoveredAt;

  StoreHealth(Clock clock, Duration settle) {
    this.clock = clock;
    this.settle = settle;
  }

  synchronized void failed() {
    lastFailure = clock.instant();
    recoveredAt = null;
  }

  synchronized void succeeded() {
    if (lastFailure != null && recoveredAt == null) {
      recoveredAt = clock.instant();
    }
  }

  /** Whether the store has answered long enough since the last failure to rescue leases. */
  synchronized boolean settledForRescues() {
    if (lastFailure == null) {
      return true;
    }
    return recoveredAt != null && !clock.instant().isBefore(recoveredAt.plus(settle));
  }
}

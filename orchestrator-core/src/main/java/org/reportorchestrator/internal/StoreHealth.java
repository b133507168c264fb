package org.reportorchestrator.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * What this node's threads have seen of the store lately, shared among them. After an outage every
 * owner's leases have run out at once; rescuing them the moment the store answers again would take
 * live jobs from healthy nodes. So after an outage, rescues wait until the store has answered for
 * {@code settle}, which gives owners time to renew first.
 *
 * <p>Only an outage counts: failures in a row for at least {@code minOutage} (a heartbeat
 * interval), the shortest spell that can have cost an owner its lease. A store that fails now and
 * then (one call in five, say) never holds rescues back, since a claim whose answer was lost leaves
 * a job that only a rescue can free.
 *
 * <p>It also keeps, for {@code health()}, when a call last succeeded and which call last failed.
 * Every store call of the node reports here (through {@link ObservedRepository}), so a success is
 * one volatile write; the lock is taken only while the store is failing. Thread-safe.
 */
final class StoreHealth {

  private final Clock clock;
  private final Duration minOutage;
  private final Duration settle;
  private volatile @Nullable Instant failingSince;
  private @Nullable Instant rescuesFrom;
  private volatile @Nullable Instant lastSuccessAt;
  private volatile @Nullable Failure lastFailure;

  /** A failed store call: when, and {@code exception type: message}. */
  record Failure(Instant at, String description) {}

  StoreHealth(Clock clock, Duration minOutage, Duration settle) {
    this.clock = clock;
    this.minOutage = minOutage;
    this.settle = settle;
  }

  synchronized void failed() {
    if (failingSince == null) {
      failingSince = clock.instant();
    }
  }

  /** A store call failed with {@code failure}. */
  void failed(RuntimeException failure) {
    Instant now = clock.instant();
    lastFailure = new Failure(now, failure.getClass().getName() + ": " + failure.getMessage());
    failed();
  }

  void succeeded() {
    Instant now = clock.instant();
    lastSuccessAt = now;
    if (failingSince != null) {
      settle(now);
    }
  }

  private synchronized void settle(Instant now) {
    Instant since = failingSince;
    if (since != null) {
      if (!now.isBefore(since.plus(minOutage))) {
        rescuesFrom = now.plus(settle);
      }
      failingSince = null;
    }
  }

  /** Since when every store call has failed; {@code null} while the last one succeeded. */
  @Nullable Instant failingSince() {
    return failingSince;
  }

  /** How long the store must fail in a row to count as an outage. */
  Duration minOutage() {
    return minOutage;
  }

  @Nullable Instant lastSuccessAt() {
    return lastSuccessAt;
  }

  @Nullable Failure lastFailure() {
    return lastFailure;
  }

  /** Whether leases may be rescued now: not during an outage, nor just after one. */
  synchronized boolean settledForRescues() {
    Instant now = clock.instant();
    Instant since = failingSince;
    if (since != null && !now.isBefore(since.plus(minOutage))) {
      return false;
    }
    return rescuesFrom == null || !now.isBefore(rescuesFrom);
  }
}

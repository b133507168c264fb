package org.reportorchestrator.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * A clock that stands still until a test moves it. Thread-safe: the orchestrator's threads read it
 * while the test advances it.
 */
public final class SettableClock extends Clock {

  private volatile Instant now;
  private final ZoneId zone;

  public SettableClock(Instant start) {
    this(start, ZoneOffset.UTC);
  }

  private SettableClock(Instant start, ZoneId zone) {
    this.now = Objects.requireNonNull(start, "start");
    this.zone = zone;
  }

  public void set(Instant instant) {
    this.now = Objects.requireNonNull(instant, "instant");
  }

  /** Moves the clock forward (or back, with a negative amount). */
  public synchronized void advance(Duration amount) {
    this.now = now.plus(amount);
  }

  @Override
  public Instant instant() {
    return now;
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  /** A clock at the same instant in another zone; advancing one does not move the other. */
  @Override
  public Clock withZone(ZoneId newZone) {
    return new SettableClock(now, newZone);
  }
}

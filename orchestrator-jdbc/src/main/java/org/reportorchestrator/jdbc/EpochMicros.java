package org.reportorchestrator.jdbc;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * Instants as the store keeps them: microseconds since the epoch in a BIGINT. A BIGINT carries no
 * time zone, so neither the JVM's nor the session's zone can shift a value. Nanoseconds below the
 * microsecond are dropped; an instant read back equals the written one truncated to microseconds.
 */
final class EpochMicros {

  private static final long MICROS_PER_SECOND = 1_000_000L;

  private EpochMicros() {}

  static long of(Instant instant) {
    try {
      return Math.addExact(
          Math.multiplyExact(instant.getEpochSecond(), MICROS_PER_SECOND),
          instant.getNano() / 1_000);
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException(
          "instant "
              + instant
              + " is outside the range the JDBC store keeps (about 292,000 years"
              + " around 1970)",
          e);
    }
  }

  static @Nullable Long ofNullable(@Nullable Instant instant) {
    return instant == null ? null : of(instant);
  }

  static Instant toInstant(long micros) {
    return Instant.ofEpochSecond(
        Math.floorDiv(micros, MICROS_PER_SECOND), Math.floorMod(micros, MICROS_PER_SECOND) * 1_000);
  }

  static @Nullable Instant toInstant(@Nullable Long micros) {
    return micros == null ? null : toInstant(micros.longValue());
  }
}

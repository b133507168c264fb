package org.reportorchestrator.jdbc.processes;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * The measured side of the process tests: wall-clock readings (the nodes stamp their rows and
 * transitions with the same machine clock, so the test can compare its own instants with theirs)
 * and the figures each test prints to stdout under {@value #PREFIX}. Figures are printed, never
 * asserted tightly.
 */
final class Figures {

  static final String PREFIX = "[figures] ";

  private Figures() {}

  /** The machine clock the node processes also stamp their rows and transitions with. */
  @SuppressForbidden
  static Clock wallClock() {
    return Clock.systemUTC();
  }

  static Instant now() {
    return wallClock().instant();
  }

  static long micros(Instant instant) {
    return instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1_000;
  }

  static Instant fromMicros(long micros) {
    return Instant.ofEpochSecond(
        Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
  }

  static String seconds(Duration duration) {
    return String.format(Locale.ROOT, "%.2f s", duration.toNanos() / 1e9);
  }

  /** Prints one line of figures, formatted with {@link Locale#ROOT}. */
  @SuppressForbidden
  static void print(String format, Object... args) {
    System.out.println(PREFIX + String.format(Locale.ROOT, format, args));
  }
}

package org.reportorchestrator;

import java.time.Duration;
import java.util.Objects;

/**
 * How often a failing job is tried and how long it waits between attempts: exponential backoff with
 * jitter. Immutable and thread-safe.
 *
 * @param maxAttempts attempts in all, the first included; 1 means no retries
 * @param initialBackoff the wait before the second attempt
 * @param maxBackoff the cap on the growing wait; jitter is applied after the cap, so waits at the
 *     cap spread over {@code maxBackoff × (1 ± jitter)} instead of piling up on one instant
 * @param multiplier how much each wait grows over the one before, at least 1
 * @param jitter the share of each wait that is randomised, from 0 (none) to 1, so that jobs that
 *     failed together do not retry together
 */
public record RetryPolicy(
    int maxAttempts,
    Duration initialBackoff,
    Duration maxBackoff,
    double multiplier,
    double jitter) {

  /**
   * Three attempts, waiting 1 s then 2 s (each ± 20 %); the growing wait is capped at 5 minutes.
   */
  public static final RetryPolicy DEFAULT =
      new RetryPolicy(3, Duration.ofSeconds(1), Duration.ofMinutes(5), 2.0, 0.2);

  public RetryPolicy {
    Objects.requireNonNull(initialBackoff, "initialBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    if (maxAttempts < 1 || maxAttempts > ReportRequest.MAX_ATTEMPTS_LIMIT) {
      throw new IllegalArgumentException(
          "maxAttempts must be between 1 and "
              + ReportRequest.MAX_ATTEMPTS_LIMIT
              + ": "
              + maxAttempts);
    }
    if (initialBackoff.isNegative()) {
      throw new IllegalArgumentException("initialBackoff must not be negative: " + initialBackoff);
    }
    if (maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException(
          "maxBackoff ("
              + maxBackoff
              + ") must not be shorter than initialBackoff ("
              + initialBackoff
              + ")");
    }
    if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
      throw new IllegalArgumentException("multiplier must be a finite number >= 1: " + multiplier);
    }
    if (!(jitter >= 0.0 && jitter <= 1.0)) {
      throw new IllegalArgumentException("jitter must be between 0 and 1: " + jitter);
    }
  }

  /** One attempt only. */
  public static RetryPolicy noRetries() {
    return new RetryPolicy(1, Duration.ZERO, Duration.ZERO, 1.0, 0.0);
  }

  /** {@code maxAttempts} attempts with backoff starting at {@code initialBackoff}, doubling. */
  public static RetryPolicy exponential(int maxAttempts, Duration initialBackoff) {
    Duration max =
        initialBackoff.compareTo(DEFAULT.maxBackoff) > 0 ? initialBackoff : DEFAULT.maxBackoff;
    return new RetryPolicy(maxAttempts, initialBackoff, max, 2.0, DEFAULT.jitter);
  }

  public RetryPolicy withMaxAttempts(int attempts) {
    return new RetryPolicy(attempts, initialBackoff, maxBackoff, multiplier, jitter);
  }

  public RetryPolicy withJitter(double newJitter) {
    return new RetryPolicy(maxAttempts, initialBackoff, maxBackoff, multiplier, newJitter);
  }

  /**
   * The wait after the failure of attempt {@code failedAttempt} (1-based).
   *
   * @param random a number in [0, 1) that places the wait within its jitter band
   */
  public Duration backoffAfter(int failedAttempt, double random) {
    if (failedAttempt < 1) {
      throw new IllegalArgumentException("failedAttempt must be at least 1: " + failedAttempt);
    }
    double base = initialBackoff.toMillis() * Math.pow(multiplier, failedAttempt - 1.0);
    double capped = Math.min(base, maxBackoff.toMillis());
    double spread = capped * jitter;
    double millis = capped - spread + 2 * spread * random;
    // Clamping after the jitter would put half of the capped waits on the very same instant, so
    // that jobs which failed together retry together: the jitter goes on after the clamp.
    return Duration.ofMillis(Math.max(0L, Math.round(millis)));
  }
}

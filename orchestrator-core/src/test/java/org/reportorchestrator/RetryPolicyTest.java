package org.reportorchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

  private final RetryPolicy noJitter =
      new RetryPolicy(5, Duration.ofSeconds(1), Duration.ofSeconds(10), 2.0, 0.0);

  @Test
  void backoffGrowsExponentiallyUpToTheCap() {
    assertThat(noJitter.backoffAfter(1, 0.5)).isEqualTo(Duration.ofSeconds(1));
    assertThat(noJitter.backoffAfter(2, 0.5)).isEqualTo(Duration.ofSeconds(2));
    assertThat(noJitter.backoffAfter(3, 0.5)).isEqualTo(Duration.ofSeconds(4));
    assertThat(noJitter.backoffAfter(4, 0.5)).isEqualTo(Duration.ofSeconds(8));
    assertThat(noJitter.backoffAfter(5, 0.5)).isEqualTo(Duration.ofSeconds(10));
    assertThat(noJitter.backoffAfter(60, 0.5)).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void jitterSpreadsWaitsAroundTheBase() {
    RetryPolicy jittered = noJitter.withJitter(0.2);
    assertThat(jittered.backoffAfter(2, 0.0)).isEqualTo(Duration.ofMillis(1600));
    assertThat(jittered.backoffAfter(2, 0.5)).isEqualTo(Duration.ofMillis(2000));
    assertThat(jittered.backoffAfter(2, 0.999))
        .isBetween(Duration.ofMillis(2390), Duration.ofMillis(2400));
  }

  @Test
  void waitsAtTheCapAreSpreadByTheJitterInsteadOfPilingUpOnTheCap() {
    RetryPolicy jittered = noJitter.withJitter(0.2);
    Set<Duration> waits = new HashSet<>();
    for (int i = 0; i < 100; i++) {
      waits.add(jittered.backoffAfter(10, i / 100.0));
    }
    assertThat(waits).hasSize(100);
    assertThat(waits)
        .allSatisfy(
            wait -> assertThat(wait).isBetween(Duration.ofSeconds(8), Duration.ofSeconds(12)));
    assertThat(waits).filteredOn(wait -> wait.equals(Duration.ofSeconds(10))).hasSize(1);
  }

  @Test
  void invalidSettingsAreRejectedWithTheirNames() {
    assertThatThrownBy(() -> new RetryPolicy(0, Duration.ZERO, Duration.ZERO, 1, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxAttempts");
    assertThatThrownBy(() -> new RetryPolicy(2, Duration.ofSeconds(5), Duration.ofSeconds(1), 2, 0))
        .hasMessageContaining("maxBackoff");
    assertThatThrownBy(
            () -> new RetryPolicy(2, Duration.ofSeconds(1), Duration.ofSeconds(1), 0.5, 0))
        .hasMessageContaining("multiplier");
    assertThatThrownBy(
            () -> new RetryPolicy(2, Duration.ofSeconds(1), Duration.ofSeconds(1), 2, 1.5))
        .hasMessageContaining("jitter");
    assertThatThrownBy(
            () -> new RetryPolicy(2, Duration.ofSeconds(-1), Duration.ofSeconds(1), 2, 0))
        .hasMessageContaining("initialBackoff");
  }
}

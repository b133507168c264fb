package org.reportorchestrator.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.reportorchestrator.testing.SettableClock;

class StoreHealthTest {

  private final SettableClock clock = new SettableClock(Instant.parse("2026-11-02T09:00:00Z"));
  private final StoreHealth health =
      new StoreHealth(clock, Duration.ofSeconds(1), Duration.ofSeconds(2));

  @Test
  void rescuesWaitDuringAnOutageAndForTheSettlingTimeAfterIt() {
    health.failed();
    clock.advance(Duration.ofSeconds(10));
    health.failed();
    assertThat(health.settledForRescues()).isFalse();

    health.succeeded();
    assertThat(health.settledForRescues()).isFalse();
    clock.advance(Duration.ofMillis(1999));
    assertThat(health.settledForRescues()).isFalse();
    clock.advance(Duration.ofMillis(1));
    assertThat(health.settledForRescues()).isTrue();
  }

  @Test
  void failuresNowAndThenNeverHoldRescuesBack() {
    for (int i = 0; i < 100; i++) {
      health.failed();
      clock.advance(Duration.ofMillis(200));
      health.succeeded();
      clock.advance(Duration.ofMillis(200));
      assertThat(health.settledForRescues()).isTrue();
    }
  }
}

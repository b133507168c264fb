package org.reportorchestrator.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Fire times of cron triggers over the days that daylight saving time begins and ends. */
class CronTriggerTest {

  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

  private static List<Instant> fireTimesOn(Trigger trigger, LocalDate day) {
    Instant end = day.plusDays(1).atStartOfDay(BERLIN).toInstant();
    List<Instant> times = new ArrayList<>();
    Instant at = day.atStartOfDay(BERLIN).toInstant().minusNanos(1);
    while (true) {
      at = trigger.nextAfter(at, at);
      if (!at.isBefore(end)) {
        return times;
      }
      times.add(at);
    }
  }

  @Test
  void anHourlyTriggerFiresOncePerWallClockHourAcrossBothTransitions() {
    Trigger hourly = Trigger.cron("0 * * * *", BERLIN);

    assertThat(fireTimesOn(hourly, LocalDate.of(2026, 3, 29))).hasSize(23).doesNotHaveDuplicates();
    assertThat(fireTimesOn(hourly, LocalDate.of(2026, 10, 25))).hasSize(24).doesNotHaveDuplicates();
    assertThat(fireTimesOn(hourly, LocalDate.of(2026, 11, 2))).hasSize(24);
  }

  @Test
  void theSpecNamesTheZoneAndTheExpressionAndParsesBack() {
    Trigger trigger = Trigger.cron("30 2 * * 1-5", BERLIN);

    assertThat(trigger.spec()).isEqualTo("cron Europe/Berlin 30 2 * * 1-5");
    assertThat(Trigger.parse(trigger.spec()).spec()).isEqualTo(trigger.spec());
    assertThat(Trigger.parse("every PT15M").spec()).isEqualTo("every PT15M");
  }

  @Test
  void anIntervalStaysOnTheGridOfItsFirstFireTime() {
    Trigger every = Trigger.parse("every PT10M");
    Instant first = Instant.parse("2026-11-02T09:10:00Z");

    assertThat(every.nextAfter(first, first.plusSeconds(7))).isEqualTo(first.plusSeconds(600));
    assertThat(every.nextAfter(first, first.plusSeconds(3_000)))
        .isEqualTo(first.plusSeconds(3_600));
    assertThat(every.nextAfter(first, first.minusSeconds(1))).isEqualTo(first);
  }
}

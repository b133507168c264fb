package org.reportorchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;
import org.reportorchestrator.spi.JobRepository;

/** What the builder and {@link Schedule} refuse before anything reaches a store. */
class ScheduleDeclarationTest {

  /** A store that keeps jobs only; building must not call it. */
  private static final JobRepository JOBS_ONLY =
      (JobRepository)
          Proxy.newProxyInstance(
              JobRepository.class.getClassLoader(),
              new Class<?>[] {JobRepository.class},
              (proxy, method, args) -> {
                if (method.getName().equals("toString")) {
                  return "jobs-only store";
                }
                throw new AssertionError("the store was called: " + method.getName());
              });

  @Test
  void schedulesOnAStoreThatKeepsNoneFailTheBuildNamingTheStore() {
    ReportOrchestrator.Builder builder =
        ReportOrchestrator.builder()
            .repository(JOBS_ONLY)
            .register("nightly", context -> ReportResult.empty())
            .schedule(Schedule.every("hourly", "nightly", Duration.ofHours(1)));

    assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("jobs-only store")
        .hasMessageContaining("ScheduleRepository");
  }

  @Test
  void aScheduleNameIsDeclaredOnce() {
    ReportOrchestrator.Builder builder =
        ReportOrchestrator.builder().schedule(Schedule.every("hourly", "a", Duration.ofHours(1)));

    assertThatThrownBy(() -> builder.schedule(Schedule.every("hourly", "b", Duration.ofMinutes(5))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'hourly' is already declared");
  }

  @Test
  void aCronExpressionIsKeptWithSingleSpacesAndItsZone() {
    Schedule schedule =
        Schedule.cron("nightly", "sales", "  30   2 * * 1-5 ", ZoneId.of("Europe/Berlin"));

    assertThat(schedule.cronExpression()).isEqualTo("30 2 * * 1-5");
    assertThat(schedule.zone()).isEqualTo(ZoneId.of("Europe/Berlin"));
    assertThat(schedule.interval()).isNull();
    assertThat(schedule.overlap()).isEqualTo(Schedule.Overlap.SKIP);
    assertThat(schedule.catchUp()).isEqualTo(Schedule.CatchUp.ONE);
    assertThat(schedule)
        .hasToString(
            "Schedule[nightly, sales, cron '30 2 * * 1-5' in Europe/Berlin, SKIP, catch up ONE]");
  }

  @Test
  void aCronScheduleNeedsAZoneAndAnExpression() {
    assertThatThrownBy(() -> Schedule.cron("nightly", "sales", "0 2 * * *", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("zone");
    assertThatThrownBy(() -> Schedule.cron("nightly", "sales", null, ZoneId.of("UTC")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cronExpression");
    assertThatThrownBy(() -> Schedule.cron("n".repeat(101), "sales", "0 2 * * *", ZoneId.of("UTC")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("schedule name");
  }
}

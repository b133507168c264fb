package org.reportorchestrator.inmemory;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * cron-utils is an optional dependency of core: a host without it runs interval schedules, loads
 * none of its classes, gets an error naming the library when it builds a cron schedule, lists cron
 * schedules other nodes stored, and warns once (not on every poll) that it cannot fire one. Proven
 * in a fresh JVM whose class path is this test's without the cron-utils jar.
 */
class NoCronUtilsNeededTest {

  @Test
  void aHostWithoutCronUtilsRunsIntervalSchedulesAndIsToldWhatACronOneNeeds(@TempDir Path dir)
      throws Exception {
    HostWithoutLibrary.Run run = HostWithoutLibrary.run("cron-utils", WithoutCronUtils.class, dir);
    List<String> loads = run.output();
    assertThat(run.report())
        .isEqualTo(
            "cron schedules need the cron-utils library (com.cronutils:cron-utils, an optional"
                + " dependency of orchestrator-core) on the class path; add it, or use"
                + " Schedule.every(...)\nran 1\njobs 1\n"
                + "listed Schedule[hourly, report, every PT1H, SKIP, catch up ONE]\n"
                + "listed Schedule[nightly, report, cron '0 2 * * *' in UTC, SKIP, catch up ONE]\n"
                + "found 0 2 * * * in UTC\n");
    assertThat(loads)
        .as("three looks at a cron schedule it cannot fire warn once")
        .filteredOn(line -> line.contains("WARN") && line.contains("schedule 'nightly'"))
        .hasSize(1);
    // the log names the library too; only class loads count
    assertThat(loads)
        .noneMatch(line -> line.contains("[class,load]") && line.contains("com.cronutils"));
    assertThat(loads).anyMatch(line -> line.contains("[class,load] org.reportorchestrator"));
  }
}

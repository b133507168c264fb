package org.reportorchestrator.inmemory;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
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
    String classPath =
        Arrays.stream(
                System.getProperty(
                        "surefire.test.class.path", System.getProperty("java.class.path"))
                    .split(File.pathSeparator))
            .filter(entry -> !Path.of(entry).getFileName().toString().contains("cron-utils"))
            .collect(Collectors.joining(File.pathSeparator));
    assertThat(classPath).contains("orchestrator-core");
    Path report = dir.resolve("report.txt");
    Path classLoads = dir.resolve("class-loads.txt");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-verbose:class");
    command.add("-cp");
    command.add(classPath);
    command.add(WithoutCronUtils.class.getName());
    command.add(report.toString());
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(classLoads.toFile())
            .start();

    assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("the host JVM finished").isTrue();
    List<String> loads = Files.readAllLines(classLoads, StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as("exit code; output:%n%s", String.join("\n", loads)).isZero();
    assertThat(Files.readString(report, StandardCharsets.UTF_8))
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

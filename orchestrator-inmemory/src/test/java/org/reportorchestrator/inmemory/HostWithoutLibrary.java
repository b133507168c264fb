package org.reportorchestrator.inmemory;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Runs a host's {@code main} in a fresh JVM whose class path is this test's without the jars whose
 * file names contain a given text, with every class load logged: how the tests prove that an
 * optional dependency of core is optional.
 */
final class HostWithoutLibrary {

  /**
   * What the host wrote to the report file (its one argument), and its output with the class loads.
   */
  record Run(String report, List<String> output) {}

  private HostWithoutLibrary() {}

  /** Runs {@code host} without the jars named like {@code jarNamePart}; fails unless it exits 0. */
  static Run run(String jarNamePart, Class<?> host, Path dir) throws Exception {
    String classPath =
        Arrays.stream(
                System.getProperty(
                        "surefire.test.class.path", System.getProperty("java.class.path"))
                    .split(File.pathSeparator))
            .filter(entry -> !Path.of(entry).getFileName().toString().contains(jarNamePart))
            .collect(Collectors.joining(File.pathSeparator));
    assertThat(classPath).contains("orchestrator-core");
    Path report = dir.resolve("report.txt");
    Path output = dir.resolve("class-loads.txt");
    Process process =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-verbose:class",
                "-cp",
                classPath,
                host.getName(),
                report.toString())
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();

    assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("the host JVM finished").isTrue();
    List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as("exit code; output:%n%s", String.join("\n", lines)).isZero();
    return new Run(Files.readString(report, StandardCharsets.UTF_8), lines);
  }
}

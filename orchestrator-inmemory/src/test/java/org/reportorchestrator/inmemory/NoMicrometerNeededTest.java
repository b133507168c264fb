package org.reportorchestrator.inmemory;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Micrometer is an optional dependency of core: a host without it must run jobs, read statistics
 * and health, and load no Micrometer class. Proven in a fresh JVM whose class path is this test's
 * without the Micrometer jars, with every class load logged.
 */
class NoMicrometerNeededTest {

  @Test
  void aHostWithoutMicrometerRunsJobsAndLoadsNoneOfItsClasses(@TempDir Path dir) throws Exception {
    HostWithoutLibrary.Run run = HostWithoutLibrary.run("micrometer", WithoutMicrometer.class, dir);
    List<String> loads = run.output();
    assertThat(run.report())
        .isEqualTo(
            "no micrometer\njob COMPLETED\njob COMPLETED\njob COMPLETED\nstatistics [report]\n"
                + "health UP\n");
    assertThat(loads).anyMatch(line -> line.contains("org.reportorchestrator.internal.Engine"));
    assertThat(loads).noneMatch(line -> line.contains("io.micrometer"));
    assertThat(loads).noneMatch(line -> line.contains("org.reportorchestrator.micrometer"));
  }
}

package org.reportorchestrator.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.reportorchestrator.JobId;
import org.reportorchestrator.JobState;
import org.reportorchestrator.ReportOrchestrator;
import org.reportorchestrator.ReportRequest;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Starting and stopping the application as a process would: settings checked at startup, and a
 * worker-only process (no web server) that the orchestrator's threads keep alive until the context
 * closes.
 */
@ExtendWith(OutputCaptureExtension.class)
class ApplicationStartupTest {

  @Test
  void anInvalidSettingStopsStartupWithAMessageNamingTheProperty(CapturedOutput output) {
    assertThatThrownBy(() -> start("--report-orchestrator.workers=0").close())
        .hasStackTraceContaining("workers");
    // the reason is in the JVM's language (CI runs the tests in Turkish too); the property and
    // the value that broke it are not
    assertThat(output).contains("Origin: \"report-orchestrator.workers\"").contains("Value: \"0\"");

    assertThatThrownBy(() -> start("--report-orchestrator.poll-interval=1ms").close())
        .hasStackTraceContaining("pollInterval");
    assertThat(output)
        .contains("Origin: \"report-orchestrator.poll-interval\"")
        .contains("Value: \"PT0.001S\"");

    assertThatThrownBy(() -> start("--report-orchestrator.table-prefix=jobs;drop").close())
        .hasStackTraceContaining("tablePrefix");
    assertThat(output).contains("report-orchestrator.table-prefix").contains("jobs;drop");
  }

  @Test
  void aWorkerOnlyProcessIsHeldUpByTheOrchestratorUntilTheContextCloses() throws Exception {
    // other test classes' applications may still run in this JVM: watch only this one's threads
    Set<Thread> before = Set.copyOf(orchestratorThreads());
    ConfigurableApplicationContext context = start("--report-orchestrator.poll-interval=50ms");
    ReportOrchestrator orchestrator;
    List<Thread> ours;
    try {
      orchestrator = context.getBean(ReportOrchestrator.class);
      ours = orchestratorThreads().stream().filter(thread -> !before.contains(thread)).toList();
      // with no web server, these threads are what keeps the JVM from exiting once main returns
      assertThat(ours)
          .isNotEmpty()
          .anyMatch(thread -> thread.getName().equals("orchestrator-scheduler"))
          .allMatch(thread -> !thread.isDaemon());
      JobId id = orchestrator.submit(ReportRequest.of("sales-summary", Map.of("month", "2026-06")));
      assertThat(orchestrator.awaitCompletion(id, Duration.ofSeconds(60)).state())
          .isEqualTo(JobState.COMPLETED);
    } finally {
      context.close();
    }

    assertThat(orchestrator.health().problems()).contains("the orchestrator is closed");
    await().atMost(Duration.ofSeconds(60)).until(() -> ours.stream().noneMatch(Thread::isAlive));
  }

  private static ConfigurableApplicationContext start(String... settings) {
    String[] args = new String[settings.length + 1];
    args[0] = "--spring.datasource.url=" + TestDatabases.h2Url();
    System.arraycopy(settings, 0, args, 1, settings.length);
    return new SpringApplicationBuilder(ReportsApplication.class)
        .web(WebApplicationType.NONE)
        .run(args);
  }

  private static List<Thread> orchestratorThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .filter(thread -> thread.getName().startsWith("orchestrator-"))
        .toList();
  }
}

package org.reportorchestrator.examples.spring;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import javax.sql.DataSource;
import org.reportorchestrator.ReportOrchestrator;
import org.reportorchestrator.jdbc.JdbcJobRepository;
import org.reportorchestrator.micrometer.MicrometerMetrics;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Wires the orchestrator into a Spring application from what the application already has: its
 * {@link DataSource}, its {@link NamedReportTask} beans, its {@link MeterRegistry} and {@link
 * Clock} when there are such beans, and {@link OrchestratorProperties}. It depends on nothing else
 * of this example, so it could move into an auto-configuration module as it is.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(OrchestratorProperties.class)
public class OrchestratorConfiguration {

  /**
   * The store borrows connections from the application's pool and leaves the pool to Spring, which
   * closes it after the orchestrator (the orchestrator depends on the store, the store on the
   * pool).
   */
  @Bean
  JdbcJobRepository jobRepository(DataSource dataSource, OrchestratorProperties properties) {
    return JdbcJobRepository.builder()
        .dataSource(dataSource)
        .tablePrefix(properties.tablePrefix())
        .build();
  }

  @Bean
  ReportOrchestrator reportOrchestrator(
      JdbcJobRepository jobRepository,
      OrchestratorProperties properties,
      List<NamedReportTask> tasks,
      ObjectProvider<MeterRegistry> meterRegistry,
      ObjectProvider<Clock> clock) {
    ReportOrchestrator.Builder builder =
        ReportOrchestrator.builder()
            .repository(jobRepository)
            .workerCount(properties.workers())
            .pollInterval(properties.pollInterval())
            .leaseDuration(properties.leaseDuration())
            .shutdownGracePeriod(properties.shutdownGracePeriod())
            .statisticsInterval(properties.statisticsInterval())
            .threadFactory(nonDaemonThreads());
    String nodeId = properties.nodeId();
    if (nodeId != null) {
      builder.nodeId(nodeId);
    }
    Duration retention = properties.retainFinishedJobsFor();
    if (retention != null) {
      builder.retainFinishedJobsFor(retention);
    }
    for (NamedReportTask task : tasks) {
      builder.register(task.reportType(), task, task.options());
    }
    meterRegistry.ifAvailable(registry -> builder.metrics(new MicrometerMetrics(registry)));
    clock.ifAvailable(builder::clock);
    return builder.build();
  }

  /** Submits reports inside the application's {@code @Transactional} methods. */
  @Bean
  TransactionalReports transactionalReports(
      ReportOrchestrator reportOrchestrator,
      JdbcJobRepository jobRepository,
      DataSource dataSource) {
    return new TransactionalReports(reportOrchestrator, jobRepository, dataSource);
  }

  @Bean
  OrchestratorLifecycle reportOrchestratorLifecycle(
      ReportOrchestrator reportOrchestrator, OrchestratorProperties properties) {
    return new OrchestratorLifecycle(reportOrchestrator, properties.runJobs());
  }

  /** Named so that Actuator shows it as the {@code reportOrchestrator} health component. */
  @Bean
  OrchestratorHealthIndicator reportOrchestratorHealthIndicator(
      ReportOrchestrator reportOrchestrator) {
    return new OrchestratorHealthIndicator(reportOrchestrator);
  }

  /**
   * The library's default threads are daemons, which would let a process that only runs jobs (no
   * web server holding it up) exit as soon as {@code main} returns. Non-daemon workers keep it
   * running until the context closes, and closing the context stops them.
   */
  private static ThreadFactory nonDaemonThreads() {
    return runnable -> {
      Thread thread = new Thread(runnable);
      thread.setDaemon(false);
      return thread;
    };
  }
}

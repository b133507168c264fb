/**
 * Report Orchestrator core: the API, the storage SPI, test helpers and the optional Micrometer
 * meters. The runtime in {@code org.reportorchestrator.internal} is not exported.
 */
module org.reportorchestrator.core {
  requires org.slf4j;
  requires static transitive org.jspecify;

  // optional: only org.reportorchestrator.micrometer uses it (Micrometer's automatic module name)
  requires static micrometer.core;

  // optional: only cron schedules use it (cron-utils' automatic module name)
  requires static com.cronutils;

  exports org.reportorchestrator;
  exports org.reportorchestrator.spi;
  exports org.reportorchestrator.testing;
  exports org.reportorchestrator.micrometer;
}

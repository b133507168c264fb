/**
 * Report Orchestrator core: the API, the storage SPI and test helpers. The runtime in {@code
 * org.reportorchestrator.internal} is not exported.
 */
module org.reportorchestrator.core {
  requires org.slf4j;
  requires static transitive org.jspecify;

  exports org.reportorchestrator;
  exports org.reportorchestrator.spi;
  exports org.reportorchestrator.testing;
}

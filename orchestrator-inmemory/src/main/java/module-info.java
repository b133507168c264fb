/** Report Orchestrator's in-memory job store, for tests and demos. */
module org.reportorchestrator.inmemory {
  requires transitive org.reportorchestrator.core;
  requires static org.jspecify;

  exports org.reportorchestrator.inmemory;
}

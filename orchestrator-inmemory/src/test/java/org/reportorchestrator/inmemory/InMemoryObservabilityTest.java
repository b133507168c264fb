package org.reportorchestrator.inmemory;

import org.reportorchestrator.ObservabilityContract;
import org.reportorchestrator.spi.JobRepository;

class InMemoryObservabilityTest extends ObservabilityContract {

  @Override
  protected JobRepository newRepository() {
    return new InMemoryJobRepository();
  }
}

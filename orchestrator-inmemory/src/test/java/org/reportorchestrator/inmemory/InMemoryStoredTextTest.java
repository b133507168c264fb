package org.reportorchestrator.inmemory;

import org.reportorchestrator.StoredTextContract;
import org.reportorchestrator.spi.JobRepository;

class InMemoryStoredTextTest extends StoredTextContract {

  @Override
  protected JobRepository newRepository() {
    return new InMemoryJobRepository();
  }
}

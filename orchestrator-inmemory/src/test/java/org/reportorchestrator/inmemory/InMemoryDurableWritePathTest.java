package org.reportorchestrator.inmemory;

import org.reportorchestrator.DurableWritePathContract;
import org.reportorchestrator.spi.JobRepository;

class InMemoryDurableWritePathTest extends DurableWritePathContract {

  @Override
  protected JobRepository newRepository() {
    return new InMemoryJobRepository();
  }
}

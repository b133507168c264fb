package org.reportorchestrator.inmemory;

import org.reportorchestrator.spi.JobRepository;
import org.reportorchestrator.spi.JobRepositoryContract;

class InMemoryJobRepositoryContractTest extends JobRepositoryContract {

  @Override
  protected JobRepository newRepository() {
    return new InMemoryJobRepository();
  }

  @Override
  protected boolean claimsOnInsert() {
    return true;
  }
}

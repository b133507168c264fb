package org.reportorchestrator.inmemory;

import org.reportorchestrator.spi.JobRepository;
import org.reportorchestrator.spi.ScheduleRepositoryContract;

class InMemoryScheduleRepositoryContractTest extends ScheduleRepositoryContract {

  @Override
  protected JobRepository newRepository() {
    return new InMemoryJobRepository();
  }
}

package org.reportorchestrator.inmemory;

import org.reportorchestrator.ReportOrchestratorContract;
import org.reportorchestrator.spi.JobRepository;

class InMemoryReportOrchestratorTest extends ReportOrchestratorContract {

  @Override
  protected JobRepository newRepository() {
    return new InMemoryJobRepository();
  }

  @Override
  protected boolean claimsOnInsert() {
    return true;
  }
}

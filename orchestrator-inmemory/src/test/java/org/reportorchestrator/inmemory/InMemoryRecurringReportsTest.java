package org.reportorchestrator.inmemory;

import org.reportorchestrator.RecurringReportsContract;
import org.reportorchestrator.spi.JobRepository;

/** Recurring reports on the in-memory store; its racing nodes share the one store. */
class InMemoryRecurringReportsTest extends RecurringReportsContract {

  @Override
  protected JobRepository newRepository() {
    return new InMemoryJobRepository();
  }
}

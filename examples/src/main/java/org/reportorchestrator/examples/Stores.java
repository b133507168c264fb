package org.reportorchestrator.examples;

import org.reportorchestrator.inmemory.InMemoryJobRepository;
import org.reportorchestrator.spi.JobRepository;

/** Which store the examples use. */
final class Stores {

  private Stores() {}

  static JobRepository open() {
    return new InMemoryJobRepository();
  }

  static String describe() {
    return "in memory: gone when this program exits";
  }

  static void close(JobRepository repository) {
    // the in-memory store holds no resources
  }
}

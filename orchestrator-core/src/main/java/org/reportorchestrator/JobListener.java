package org.reportorchestrator;

/**
 * Told of every transition this node writes, after the write committed: for logging and metrics.
 * Called on the thread that wrote the transition, so keep it quick; an exception it throws is
 * logged and otherwise ignored. Implementations must be thread-safe.
 */
@FunctionalInterface
public interface JobListener {

  void onTransition(JobTransition transition);
}

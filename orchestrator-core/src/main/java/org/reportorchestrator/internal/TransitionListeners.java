package org.reportorchestrator.internal;

import java.util.List;
import org.reportorchestrator.JobListener;
import org.reportorchestrator.JobTransition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Fans a written transition out to the registered listeners, shielding core from their faults. */
final class TransitionListeners {

  private static final Logger LOG = LoggerFactory.getLogger(TransitionListeners.class);

  private final List<JobListener> listeners;

  TransitionListeners(List<JobListener> listeners) {
    this.listeners = List.copyOf(listeners);
  }

  void fire(JobTransition transition) {
    for (JobListener listener : listeners) {
      try {
        listener.onTransition(transition);
      } catch (RuntimeException e) {
        LOG.warn("job listener {} failed on {}", listener, transition, e);
      }
    }
  }
}

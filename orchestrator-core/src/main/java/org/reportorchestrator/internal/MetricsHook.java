package org.reportorchestrator.internal;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.reportorchestrator.OrchestratorMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's {@link OrchestratorMetrics}, or none, behind calls that cannot fail: a faulty metrics
 * implementation must never end an attempt or stop a thread. Its first fault is logged, the rest
 * only at debug level, since a broken meter would otherwise log on every job. Thread-safe.
 */
final class MetricsHook {

  private static final Logger LOG = LoggerFactory.getLogger(MetricsHook.class);

  private final @Nullable OrchestratorMetrics metrics;
  private final AtomicBoolean faultLogged = new AtomicBoolean();

  MetricsHook(@Nullable OrchestratorMetrics metrics) {
    this.metrics = metrics;
  }

  void bind(OrchestratorMetrics.Gauges gauges) {
    OrchestratorMetrics target = metrics;
    if (target != null) {
      // a failure here is the host's mistake at build time, and surfaces there
      target.bind(gauges);
    }
  }

  void transition(String reportType, OrchestratorMetrics.Outcome outcome) {
    OrchestratorMetrics target = metrics;
    if (target != null) {
      try {
        target.transition(reportType, outcome);
      } catch (RuntimeException e) {
        fault(e);
      }
    }
  }

  void attemptStarted(String reportType, Duration queueWait) {
    OrchestratorMetrics target = metrics;
    if (target != null) {
      try {
        target.attemptStarted(reportType, queueWait.isNegative() ? Duration.ZERO : queueWait);
      } catch (RuntimeException e) {
        fault(e);
      }
    }
  }

  void attemptFinished(String reportType, Duration runTime, boolean succeeded) {
    OrchestratorMetrics target = metrics;
    if (target != null) {
      try {
        target.attemptFinished(reportType, runTime, succeeded);
      } catch (RuntimeException e) {
        fault(e);
      }
    }
  }

  void storeFailed(String operation, RuntimeException failure) {
    OrchestratorMetrics target = metrics;
    if (target != null) {
      try {
        target.storeFailed(operation, failure);
      } catch (RuntimeException e) {
        fault(e);
      }
    }
  }

  private void fault(RuntimeException e) {
    if (faultLogged.compareAndSet(false, true)) {
      LOG.warn("metrics {} failed; ignoring it (further faults are logged at debug)", metrics, e);
    } else {
      LOG.debug("metrics {} failed again", metrics, e);
    }
  }

  void close() {
    OrchestratorMetrics target = metrics;
    if (target != null) {
      try {
        target.close();
      } catch (RuntimeException e) {
        fault(e);
      }
    }
  }
}

package org.reportorchestrator.internal;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
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
    call(target -> target.transition(reportType, outcome));
  }

  void attemptStarted(String reportType, Duration queueWait) {
    Duration wait = queueWait.isNegative() ? Duration.ZERO : queueWait;
    call(target -> target.attemptStarted(reportType, wait));
  }

  void attemptFinished(String reportType, Duration runTime, boolean succeeded) {
    call(target -> target.attemptFinished(reportType, runTime, succeeded));
  }

  void storeFailed(String operation, RuntimeException failure) {
    call(target -> target.storeFailed(operation, failure));
  }

  void close() {
    call(OrchestratorMetrics::close);
  }

  /** Hands {@code action} the host's metrics, if any, and keeps a fault of theirs to itself. */
  private void call(Consumer<OrchestratorMetrics> action) {
    OrchestratorMetrics target = metrics;
    if (target != null) {
      try {
        action.accept(target);
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
}

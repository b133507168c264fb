package org.reportorchestrator.examples.spring;

import org.reportorchestrator.ReportOrchestrator;
import org.springframework.context.SmartLifecycle;

/**
 * Starts the orchestrator's workers when the application context has started and closes it when the
 * context stops. Thread-safe.
 *
 * <p>Its phase is below the web server's: on shutdown the server first drains the requests in
 * flight (which may still submit), then the orchestrator stops claiming and lets running jobs
 * finish within its grace period, and only after every lifecycle has stopped does Spring close the
 * {@code DataSource} the store borrows from.
 */
final class OrchestratorLifecycle implements SmartLifecycle {

  /** Below the web server's start-stop phase ({@code DEFAULT_PHASE - 2048}). */
  static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

  private final ReportOrchestrator orchestrator;
  private final boolean runJobs;
  private volatile boolean running;

  OrchestratorLifecycle(ReportOrchestrator orchestrator, boolean runJobs) {
    this.orchestrator = orchestrator;
    this.runJobs = runJobs;
  }

  @Override
  public synchronized void start() {
    if (runJobs) {
      orchestrator.start();
    }
    running = true;
  }

  /** Blocks for at most the orchestrator's shutdown grace period; see its {@code close()}. */
  @Override
  public synchronized void stop() {
    orchestrator.close();
    running = false;
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }
}

package org.reportorchestrator.internal;

import org.slf4j.Logger;

/**
 * Logs a storage outage once when it starts and once when it ends, not once per failed call, and
 * tells the node's {@link StoreHealth} of every failure and success.
 */
final class OutageLog {

  private final Logger log;
  private final String activity;
  private final StoreHealth health;
  private int failures;

  OutageLog(Logger log, String activity, StoreHealth health) {
    this.log = log;
    this.activity = activity;
    this.health = health;
  }

  /**
   * @return how many calls in a row have failed, this one included
   */
  synchronized int failed(RuntimeException e) {
    health.failed();
    failures++;
    if (failures == 1) {
      log.warn("{} failed; retrying with backoff until the store answers again", activity, e);
    }
    return failures;
  }

  synchronized void succeeded() {
    health.succeeded();
    if (failures > 0) {
      log.info("{} works again after {} failed attempts", activity, failures);
      failures = 0;
    }
  }
}

package org.reportorchestrator.internal;

import org.slf4j.Logger;

/** Logs a storage outage once when it starts and once when it ends, not once per failed call. */
final class OutageLog {

  private final Logger log;
  private final String activity;
  private int failures;

  OutageLog(Logger log, String activity) {
    this.log = log;
    this.activity = activity;
  }

  /**
   * @return how many calls in a row have failed, this one included
   */
  synchronized int failed(RuntimeException e) {
    failures++;
    if (failures == 1) {
      log.warn("{} failed; retrying with backoff until the store answers again", activity, e);
    }
    return failures;
  }

  synchronized void succeeded() {
    if (failures > 0) {
      log.info("{} works again after {} failed attempts", activity, failures);
      failures = 0;
    }
  }
}

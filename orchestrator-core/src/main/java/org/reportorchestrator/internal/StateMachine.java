package org.reportorchestrator.internal;

import org.reportorchestrator.IllegalStateTransitionException;
import org.reportorchestrator.JobId;
import org.reportorchestrator.JobState;

/** Guards every transition core asks a store to make against {@link JobState}'s table. */
public final class StateMachine {

  private StateMachine() {}

  public static void requireLegal(JobId jobId, JobState from, JobState to) {
    if (!from.canTransitionTo(to)) {
      throw new IllegalStateTransitionException(jobId, from, to);
    }
  }
}

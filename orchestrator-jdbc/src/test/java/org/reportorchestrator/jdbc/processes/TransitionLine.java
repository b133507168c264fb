package org.reportorchestrator.jdbc.processes;

import java.time.Instant;
import org.jspecify.annotations.Nullable;
import org.reportorchestrator.JobState;
import org.reportorchestrator.JobTransition;

/**
 * One transition a node wrote, as its {@link org.reportorchestrator.JobListener} heard it and as
 * the node process prints it on stdout: {@code T <jobId> <from|NEW> <to> <attempt> <atMicros>
 * <node>}.
 *
 * @param jobId the job, in {@link org.reportorchestrator.JobId#toString()} form
 * @param from the state left; {@code null} for a submit
 * @param to the state entered
 * @param attempt the attempt number after the transition
 * @param atMicros when, in microseconds since the epoch by the node's clock
 * @param node the node that wrote it
 */
record TransitionLine(
    String jobId, @Nullable JobState from, JobState to, int attempt, long atMicros, String node) {

  static final String TAG = "T";

  static TransitionLine of(JobTransition transition) {
    return new TransitionLine(
        transition.jobId().toString(),
        transition.from(),
        transition.to(),
        transition.attempt(),
        Figures.micros(transition.at()),
        transition.nodeId());
  }

  static boolean isOne(String line) {
    return line.startsWith(TAG + " ");
  }

  static TransitionLine parse(String line) {
    String[] fields = line.split(" ", -1);
    if (fields.length != 7 || !fields[0].equals(TAG)) {
      throw new IllegalArgumentException("not a transition line: '" + line + "'");
    }
    return new TransitionLine(
        fields[1],
        fields[2].equals("NEW") ? null : JobState.valueOf(fields[2]),
        JobState.valueOf(fields[3]),
        Integer.parseInt(fields[4]),
        Long.parseLong(fields[5]),
        fields[6]);
  }

  String format() {
    return String.join(
        " ",
        TAG,
        jobId,
        from == null ? "NEW" : from.name(),
        to.name(),
        Integer.toString(attempt),
        Long.toString(atMicros),
        node);
  }

  Instant at() {
    return Figures.fromMicros(atMicros);
  }

  boolean isClaim() {
    return from == JobState.REQUESTED && to == JobState.RUNNING;
  }

  /** A running attempt handed back to the queue: a retry, a rescue or a release. */
  boolean isRequeue() {
    return from == JobState.RUNNING && to == JobState.REQUESTED;
  }
}

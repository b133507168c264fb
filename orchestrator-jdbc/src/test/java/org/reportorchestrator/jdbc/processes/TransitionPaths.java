package org.reportorchestrator.jdbc.processes;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.reportorchestrator.JobState;

/**
 * Checks that the transitions heard for one job, gathered from every node in no particular order,
 * chain into one legal path: from {@code REQUESTED}, claims that number the attempts 1, 2, 3...,
 * each followed by exactly one way out of {@code RUNNING} for that attempt (a retry or rescue keeps
 * the number, a release on shutdown gives it back), and nothing after a terminal state. Two claims
 * of one attempt, two outcomes of one claim, a state that goes backwards or a transition after the
 * end leave no such path.
 *
 * <p>The order comes from the attempt numbers, which every store write fences, not from the nodes'
 * timestamps, so lines of several processes need no common clock to be checked.
 */
final class TransitionPaths {

  /** How one job's transitions chained up. */
  record Path(String jobId, JobState finalState, int transitions, List<String> problems) {

    boolean legal() {
      return problems.isEmpty();
    }
  }

  private TransitionPaths() {}

  /** One path per job of {@code lines}, keyed by job id; submits ({@code NEW}) are skipped. */
  static Map<String, Path> of(Collection<TransitionLine> lines) {
    return of(lines, false);
  }

  /**
   * Like {@link #of(Collection)}, but a claim, or a move back to {@code REQUESTED}, may be missing
   * where a later attempt shows it happened: a claim whose commit went through while its node saw
   * the connection fail is never announced, since the node never learned of it; nor is a retry or
   * rescue whose acknowledgement was lost when the job was claimed again before its writer could
   * read the row back. Two transitions for one step, a state going backwards and anything after the
   * end are still problems, and a terminal transition is never assumed.
   */
  static Map<String, Path> ofWithUnheardClaims(Collection<TransitionLine> lines) {
    return of(lines, true);
  }

  private static Map<String, Path> of(Collection<TransitionLine> lines, boolean unheardClaims) {
    Map<String, List<TransitionLine>> byJob = new LinkedHashMap<>();
    for (TransitionLine line : lines) {
      if (line.from() != null) {
        byJob.computeIfAbsent(line.jobId(), id -> new ArrayList<>()).add(line);
      }
    }
    Map<String, Path> paths = new LinkedHashMap<>();
    byJob.forEach((job, transitions) -> paths.put(job, chain(job, transitions, unheardClaims)));
    return paths;
  }

  static Path chain(String jobId, List<TransitionLine> heard, boolean unheardClaims) {
    List<TransitionLine> left = new ArrayList<>(heard);
    List<String> problems = new ArrayList<>();
    JobState state = JobState.REQUESTED;
    int attempt = 0;
    while (!left.isEmpty()) {
      if (state.isTerminal()) {
        problems.add("after " + state + ": " + left);
        break;
      }
      List<TransitionLine> next = new ArrayList<>();
      for (TransitionLine line : left) {
        if (follows(state, attempt, line)) {
          next.add(line);
        }
      }
      if (next.isEmpty() && unheardClaims) {
        // Resume at the earliest attempt heard: just before its claim if that was heard, else in
        // RUNNING, where its way out was heard.
        int earliest = left.stream().mapToInt(TransitionLine::attempt).min().orElse(attempt);
        boolean claimHeard =
            left.stream()
                .anyMatch(
                    l ->
                        l.from() == JobState.REQUESTED
                            && l.to() == JobState.RUNNING
                            && l.attempt() == earliest);
        JobState resumed = claimHeard ? JobState.REQUESTED : JobState.RUNNING;
        int resumedAttempt = claimHeard ? earliest - 1 : earliest;
        if (resumedAttempt > attempt || (resumedAttempt == attempt && resumed != state)) {
          state = resumed;
          attempt = resumedAttempt;
          continue;
        }
      }
      if (next.size() != 1) {
        problems.add(
            (next.isEmpty() ? "no transition follows " : "several transitions follow ")
                + state
                + " at attempt "
                + attempt
                + ": "
                + (next.isEmpty() ? left : next));
        break;
      }
      TransitionLine taken = next.get(0);
      left.remove(taken);
      state = taken.to();
      attempt = taken.attempt();
    }
    return new Path(jobId, state, heard.size(), List.copyOf(problems));
  }

  private static boolean follows(JobState state, int attempt, TransitionLine line) {
    if (line.from() != state) {
      return false;
    }
    if (state == JobState.REQUESTED) {
      return line.to() == JobState.RUNNING
          ? line.attempt() == attempt + 1
          : line.to() == JobState.CANCELLED && line.attempt() == attempt;
    }
    // out of RUNNING: the attempt keeps its number, or gets it back when released on shutdown
    return line.attempt() == attempt
        || (line.attempt() == attempt - 1 && line.to() == JobState.REQUESTED);
  }
}

package org.reportorchestrator;

import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The states of a job and the one table of legal transitions between them. Immutable and
 * thread-safe.
 *
 * <pre>
 * REQUESTED -> RUNNING      claimed by a node
 * RUNNING   -> COMPLETED    the task returned a result
 * RUNNING   -> FAILED       attempts exhausted, or a non-retryable failure
 * RUNNING   -> REQUESTED    retry after backoff, rescue of an expired lease, release on shutdown
 * REQUESTED -> CANCELLED    cancelled before it started
 * RUNNING   -> CANCELLED    the task saw the cancellation
 * </pre>
 *
 * Terminal states never change.
 */
public enum JobState {
  REQUESTED,
  RUNNING,
  COMPLETED,
  FAILED,
  CANCELLED;

  private static final Map<JobState, Set<JobState>> LEGAL_TRANSITIONS = legalTransitions();

  private static Map<JobState, Set<JobState>> legalTransitions() {
    Map<JobState, Set<JobState>> table = new EnumMap<>(JobState.class);
    table.put(REQUESTED, Collections.unmodifiableSet(EnumSet.of(RUNNING, CANCELLED)));
    table.put(
        RUNNING, Collections.unmodifiableSet(EnumSet.of(COMPLETED, FAILED, REQUESTED, CANCELLED)));
    table.put(COMPLETED, Collections.unmodifiableSet(EnumSet.noneOf(JobState.class)));
    table.put(FAILED, Collections.unmodifiableSet(EnumSet.noneOf(JobState.class)));
    table.put(CANCELLED, Collections.unmodifiableSet(EnumSet.noneOf(JobState.class)));
    return Collections.unmodifiableMap(table);
  }

  private Set<JobState> row() {
    // legalTransitions() has a row for every state
    return Objects.requireNonNull(LEGAL_TRANSITIONS.get(this), "no row in the transition table");
  }

  /** Whether the job has finished for good: no transition leaves this state. */
  public boolean isTerminal() {
    return row().isEmpty();
  }

  /** The states this state may move to; empty for terminal states. */
  public Set<JobState> successors() {
    return row();
  }

  /** Whether {@code this -> target} is in the transition table. */
  public boolean canTransitionTo(JobState target) {
    return row().contains(target);
  }

  /** The terminal states: {@code COMPLETED}, {@code FAILED} and {@code CANCELLED}. */
  public static Set<JobState> terminalStates() {
    EnumSet<JobState> terminal = EnumSet.noneOf(JobState.class);
    for (JobState state : values()) {
      if (state.isTerminal()) {
        terminal.add(state);
      }
    }
    return Collections.unmodifiableSet(terminal);
  }
}

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
 * FAILED    -> REQUESTED    an operator's retry ({@code ReportOrchestrator.retry})
 * CANCELLED -> REQUESTED    an operator's retry
 * </pre>
 *
 * <p>{@code COMPLETED}, {@code FAILED} and {@code CANCELLED} are terminal: the orchestrator never
 * moves a job out of them on its own, and a {@code COMPLETED} job never changes again. Only an
 * operator's retry takes a {@code FAILED} or {@code CANCELLED} job back to {@code REQUESTED}, with
 * a fresh budget of attempts; its history keeps what happened before.
 */
public enum JobState {
  REQUESTED(false),
  RUNNING(false),
  COMPLETED(true),
  FAILED(true),
  CANCELLED(true);

  private static final Map<JobState, Set<JobState>> LEGAL_TRANSITIONS = legalTransitions();

  private final boolean terminal;

  JobState(boolean terminal) {
    this.terminal = terminal;
  }

  private static Map<JobState, Set<JobState>> legalTransitions() {
    Map<JobState, Set<JobState>> table = new EnumMap<>(JobState.class);
    table.put(REQUESTED, Collections.unmodifiableSet(EnumSet.of(RUNNING, CANCELLED)));
    table.put(
        RUNNING, Collections.unmodifiableSet(EnumSet.of(COMPLETED, FAILED, REQUESTED, CANCELLED)));
    table.put(COMPLETED, Collections.unmodifiableSet(EnumSet.noneOf(JobState.class)));
    table.put(FAILED, Collections.unmodifiableSet(EnumSet.of(REQUESTED)));
    table.put(CANCELLED, Collections.unmodifiableSet(EnumSet.of(REQUESTED)));
    return Collections.unmodifiableMap(table);
  }

  private Set<JobState> row() {
    // legalTransitions() has a row for every state
    return Objects.requireNonNull(LEGAL_TRANSITIONS.get(this), "no row in the transition table");
  }

  /**
   * Whether the job has finished: the orchestrator never moves it out of this state on its own
   * (only an operator's retry can, from {@code FAILED} or {@code CANCELLED}).
   */
  public boolean isTerminal() {
    return terminal;
  }

  /** Whether an operator's retry may take a job in this state back to {@code REQUESTED}. */
  public boolean isRetriable() {
    return terminal && canTransitionTo(REQUESTED);
  }

  /** The states this state may move to; empty for {@code COMPLETED}. */
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

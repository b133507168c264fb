package org.reportorchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.reportorchestrator.internal.StateMachine;

class JobStateTest {

  private static final Set<String> LEGAL =
      Set.of(
          "REQUESTED->RUNNING",
          "REQUESTED->CANCELLED",
          "RUNNING->COMPLETED",
          "RUNNING->FAILED",
          "RUNNING->REQUESTED",
          "RUNNING->CANCELLED",
          "FAILED->REQUESTED",
          "CANCELLED->REQUESTED");

  @Test
  void everyPairOfStatesIsLegalExactlyWhenTheTableSaysSo() {
    JobId id = new JobId(UUID.randomUUID());
    for (JobState from : JobState.values()) {
      for (JobState to : JobState.values()) {
        boolean legal = LEGAL.contains(from + "->" + to);
        assertThat(from.canTransitionTo(to)).as(from + "->" + to).isEqualTo(legal);
        if (legal) {
          StateMachine.requireLegal(id, from, to);
        } else {
          assertThatThrownBy(() -> StateMachine.requireLegal(id, from, to))
              .isInstanceOfSatisfying(
                  IllegalStateTransitionException.class,
                  e -> {
                    assertThat(e.jobId()).isEqualTo(id);
                    assertThat(e.from()).isEqualTo(from);
                    assertThat(e.to()).isEqualTo(to);
                    assertThat(e)
                        .hasMessageContaining(id.toString())
                        .hasMessageContaining(from + " -> " + to);
                  });
        }
      }
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = JobState.class,
      names = {"COMPLETED", "FAILED", "CANCELLED"})
  void terminalStatesAreLeftOnlyByAnOperatorsRetry(JobState state) {
    assertThat(state.isTerminal()).isTrue();
    assertThat(state.successors()).isSubsetOf(JobState.REQUESTED);
    assertThat(state.isRetriable()).isEqualTo(state != JobState.COMPLETED);
    assertThat(JobState.terminalStates()).contains(state);
  }

  @Test
  void aCompletedJobNeverChanges() {
    assertThat(JobState.COMPLETED.successors()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(
      value = JobState.class,
      names = {"REQUESTED", "RUNNING"})
  void activeStatesAreNotTerminal(JobState state) {
    assertThat(state.isTerminal()).isFalse();
    assertThat(state.isRetriable()).isFalse();
    assertThat(JobState.terminalStates()).doesNotContain(state);
  }
}

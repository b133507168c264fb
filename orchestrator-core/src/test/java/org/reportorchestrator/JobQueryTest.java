package org.reportorchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class JobQueryTest {

  private static final JobCursor CURSOR =
      new JobCursor(
          Instant.parse("2030-01-01T00:00:00.123456789Z"),
          JobId.parse("f0000000-0000-0000-0000-00000000000a"));

  @Test
  void theFirstPageHasNoCursorAndEveryStateAndType() {
    JobQuery all = JobQuery.all();

    assertThat(all.after()).isNull();
    assertThat(all.states()).isEmpty();
    assertThat(all.reportType()).isNull();
    assertThat(all.limit()).isEqualTo(100);
  }

  @Test
  void aNextPageKeepsTheFiltersAndTheLimit() {
    JobQuery first = JobQuery.all().inStates(JobState.FAILED).ofType("sales").limit(7);

    JobQuery next = first.after(CURSOR);

    assertThat(next).isEqualTo(new JobQuery(Set.of(JobState.FAILED), "sales", CURSOR, 7));
    assertThat(next.after(CURSOR).after()).isEqualTo(CURSOR);
  }

  @Test
  void newestFirstIsKeptByEveryOtherChange() {
    JobQuery newestFirst = JobQuery.all().newestFirst();

    JobQuery changed = newestFirst.inStates(JobState.FAILED).ofType("sales").limit(7).after(CURSOR);

    assertThat(JobQuery.all().newestFirst()).isNotEqualTo(JobQuery.all());
    assertThat(changed)
        .isEqualTo(
            new JobQuery(Set.of(JobState.FAILED), "sales", CURSOR, 7, JobQuery.Order.NEWEST_FIRST));
    assertThat(new JobQuery(Set.of(), null, null, 100).order())
        .isEqualTo(JobQuery.Order.OLDEST_FIRST);
  }

  @Test
  void aNullCursorIsRefusedByName() {
    assertThatThrownBy(() -> JobQuery.all().after((JobCursor) null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("after");
    assertThatThrownBy(() -> JobQuery.all().after((JobSnapshot) null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("after");
  }

  @Test
  void aLimitOutsideOneToTheMaximumIsRefusedWithTheRange() {
    for (int limit : new int[] {0, -1, JobQuery.MAX_LIMIT + 1}) {
      assertThatThrownBy(() -> JobQuery.all().limit(limit))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("limit must be between 1 and " + JobQuery.MAX_LIMIT + ": " + limit);
    }
    assertThat(JobQuery.all().limit(JobQuery.MAX_LIMIT).limit()).isEqualTo(JobQuery.MAX_LIMIT);
  }

  @Test
  void nullStatesAreRefusedByName() {
    assertThatThrownBy(() -> new JobQuery(null, null, null, 10))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("states");
  }

  @Test
  void aCursorSurvivesItsTextForm() {
    assertThat(JobCursor.parse(CURSOR.toString())).isEqualTo(CURSOR);
    assertThat(CURSOR.toString())
        .isEqualTo("2030-01-01T00:00:00.123456789Z_f0000000-0000-0000-0000-00000000000a");
  }

  @Test
  void textThatIsNoCursorIsRefusedWithTheText() {
    for (String text :
        new String[] {
          "",
          "yesterday",
          "2030-01-01T00:00:00Z",
          "2030-13-01T00:00:00Z_" + UUID.randomUUID(),
          "2030-01-01T00:00:00Z_x"
        }) {
      assertThatThrownBy(() -> JobCursor.parse(text))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("not a job cursor: '" + text + "'");
    }
  }

  @Test
  void cursorsAreOrderedByCreationTimeThenIdAsJobsAreListed() {
    Instant t = Instant.parse("2030-01-01T00:00:00Z");
    JobCursor low = new JobCursor(t, JobId.parse("00000000-0000-0000-0000-000000000001"));
    JobCursor high = new JobCursor(t, JobId.parse("f0000000-0000-0000-0000-000000000000"));
    JobCursor later =
        new JobCursor(t.plusNanos(1), JobId.parse("00000000-0000-0000-0000-000000000000"));

    assertThat(low).isLessThan(high);
    assertThat(high).isLessThan(later);
  }
}

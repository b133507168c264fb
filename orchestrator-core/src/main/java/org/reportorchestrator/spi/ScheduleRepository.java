package org.reportorchestrator.spi;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Keeps recurring schedules, for a {@link JobRepository} that also offers them: core finds it with
 * {@code instanceof} on the store it is given, so a store without schedules needs no change.
 * Implementations must be thread-safe, and {@link #fire} must be atomic against every node using
 * the same store: for one fire time, exactly one caller moves the schedule on, and only that caller
 * inserts a job. Like {@link JobRepository}, a store never reads a clock and holds no rules: core
 * computes every fire time and decides whether a fire time makes a job.
 */
public interface ScheduleRepository {

  /**
   * Stores {@code proposed} if no schedule has its name. If one has and its definition differs
   * ({@link StoredSchedule#sameDefinition}), replaces the definition and the next fire time with
   * {@code proposed}'s, keeping the paused flag and the last job. If the definition is the same,
   * changes nothing.
   *
   * @return the schedule as stored afterwards
   */
  StoredSchedule upsertSchedule(StoredSchedule proposed);

  /** Every schedule, by name. */
  List<StoredSchedule> schedules();

  Optional<StoredSchedule> findSchedule(String name);

  /**
   * Up to {@code limit} unpaused schedules of one of {@code reportTypes} with {@code nextFireAt <=
   * now}, earliest fire time first, read with one statement where the store has statements: core
   * asks on every poll of every node, for the types that node runs. Schedules of other types do not
   * count against the limit, so overdue schedules that no node of this kind can fire never hide the
   * ones it can.
   */
  List<StoredSchedule> dueSchedules(Instant now, Set<String> reportTypes, int limit);

  /**
   * Applies {@code firing} if the schedule is unpaused and its next fire time is still {@code
   * firing.fireAt()}: sets it to {@code firing.nextFireAt()} and, with a job, inserts the job (as
   * {@link JobRepository#insert} does, its history entry included) and records it as the schedule's
   * last job and fire time. All in one unit: the move and the job are both stored or neither is.
   *
   * @return the outcome; {@link FireResult#advanced()} is {@code false} if another caller moved the
   *     schedule first, it was paused or removed
   */
  FireResult fire(ScheduleFiring firing);

  /** Pauses the schedule; {@code false} if there is none of that name. */
  boolean pauseSchedule(String name, Instant now);

  /**
   * Unpauses the schedule and sets its next fire time; {@code false} if there is none of that name.
   */
  boolean resumeSchedule(String name, Instant nextFireAt, Instant now);

  /** Deletes the schedule (its jobs stay); {@code false} if there was none of that name. */
  boolean removeSchedule(String name);

  /**
   * What {@link #fire} did.
   *
   * @param advanced whether this call moved the schedule on
   * @param job the job it inserted, or the job that already held its idempotency key; {@code null}
   *     if none was asked for or the schedule was not moved
   */
  record FireResult(boolean advanced, @Nullable InsertResult job) {

    /** Another caller moved the schedule first, or it is paused or gone. */
    public static FireResult lost() {
      return new FireResult(false, null);
    }
  }
}

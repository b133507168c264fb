package org.reportorchestrator.jdbc;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiFunction;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Update;
import org.jspecify.annotations.Nullable;
import org.reportorchestrator.JobId;
import org.reportorchestrator.Schedule;
import org.reportorchestrator.StorageException;
import org.reportorchestrator.spi.InsertResult;
import org.reportorchestrator.spi.NewJob;
import org.reportorchestrator.spi.ScheduleFiring;
import org.reportorchestrator.spi.ScheduleRepository.FireResult;
import org.reportorchestrator.spi.StoredSchedule;

/**
 * The schedules table of a {@link JdbcJobRepository}: the same SQL on PostgreSQL and H2. A firing
 * is one transaction: a conditional UPDATE that moves the schedule from the fire time the caller
 * read to the next (on PostgreSQL a second node's UPDATE waits for the first's row lock and then
 * finds the condition false), and the insert of the job, whose idempotency key is unique in the
 * jobs table. Thread-safe.
 */
final class JdbcSchedules {

  private static final String COLUMNS =
      "name, report_type, parameters, trigger_spec, overlap, catch_up, paused, next_fire_at,"
          + " last_fire_at, last_job_id, updated_at";

  private static final int UPSERT_ATTEMPTS = 3;

  private final Connections connections;
  private final String table;
  private final BiFunction<Handle, List<NewJob>, List<InsertResult>> insertJobs;

  JdbcSchedules(
      Connections connections,
      String tablePrefix,
      BiFunction<Handle, List<NewJob>, List<InsertResult>> insertJobs) {
    this.connections = connections;
    this.table = tablePrefix + "schedules";
    this.insertJobs = insertJobs;
  }

  StoredSchedule upsert(StoredSchedule proposed) {
    for (int attempt = 1; ; attempt++) {
      try {
        return connections.inTransaction("store a schedule", handle -> upsert(handle, proposed));
      } catch (StorageException e) {
        // two nodes inserted the same new name at once: the loser reads the winner's row
        if (attempt >= UPSERT_ATTEMPTS || !SqlFailures.isUniqueViolation(e)) {
          throw e;
        }
      }
    }
  }

  private StoredSchedule upsert(Handle handle, StoredSchedule proposed) {
    Optional<StoredSchedule> stored =
        handle
            .createQuery("SELECT " + COLUMNS + " FROM " + table + " WHERE name = :name FOR UPDATE")
            .bind("name", proposed.name())
            .map((rs, ctx) -> read(rs))
            .findOne();
    if (stored.isEmpty()) {
      executeWithDefinition(
          handle.createUpdate(
              "INSERT INTO "
                  + table
                  + " ("
                  + COLUMNS
                  + ") VALUES (:name, :reportType, :parameters, :trigger, :overlap, :catchUp,"
                  + " FALSE, :nextFireAt, NULL, NULL, :updatedAt)"),
          proposed);
    } else if (!stored.get().sameDefinition(proposed)) {
      executeWithDefinition(
          handle.createUpdate(
              "UPDATE "
                  + table
                  + " SET report_type = :reportType, parameters = :parameters,"
                  + " trigger_spec = :trigger, overlap = :overlap, catch_up = :catchUp,"
                  + " next_fire_at = :nextFireAt, updated_at = :updatedAt WHERE name = :name"),
          proposed);
    } else {
      return stored.get();
    }
    return find(handle, proposed.name()).orElseThrow();
  }

  /** Runs {@code statement} with a schedule's definition, next fire time and update time bound. */
  private static void executeWithDefinition(Update statement, StoredSchedule schedule) {
    statement
        .bind("name", schedule.name())
        .bind("reportType", schedule.reportType())
        .bind("parameters", JsonText.write(schedule.parameters()))
        .bind("trigger", schedule.trigger())
        .bind("overlap", schedule.overlap().name())
        .bind("catchUp", schedule.catchUp().name())
        .bind("nextFireAt", EpochMicros.of(schedule.nextFireAt()))
        .bind("updatedAt", EpochMicros.of(schedule.updatedAt()))
        .execute();
  }

  List<StoredSchedule> all() {
    return connections.withHandle(
        "list schedules",
        handle ->
            handle
                .createQuery("SELECT " + COLUMNS + " FROM " + table + " ORDER BY name")
                .map((rs, ctx) -> read(rs))
                .list());
  }

  Optional<StoredSchedule> find(String name) {
    return connections.withHandle("read a schedule", handle -> find(handle, name));
  }

  private Optional<StoredSchedule> find(Handle handle, String name) {
    return handle
        .createQuery("SELECT " + COLUMNS + " FROM " + table + " WHERE name = :name")
        .bind("name", name)
        .map((rs, ctx) -> read(rs))
        .findOne();
  }

  /**
   * One statement through the due index: unpaused rows by fire time, of the given types (the filter
   * costs a look at each due row of other types, which only a backlog of those makes many).
   */
  List<StoredSchedule> due(Instant now, Set<String> reportTypes, int limit) {
    return connections.withHandle(
        "find due schedules",
        handle ->
            handle
                .createQuery(
                    "SELECT "
                        + COLUMNS
                        + " FROM "
                        + table
                        + " WHERE NOT paused AND next_fire_at <= :now"
                        + " AND report_type = ANY(:reportTypes)"
                        + " ORDER BY next_fire_at, name LIMIT :limit")
                .bind("now", EpochMicros.of(now))
                .bindArray("reportTypes", String.class, reportTypes.toArray())
                .bind("limit", limit)
                .map((rs, ctx) -> read(rs))
                .list());
  }

  FireResult fire(ScheduleFiring firing) {
    try {
      return connections.inTransaction("fire a schedule", handle -> fire(handle, firing));
    } catch (StorageException e) {
      // H2 may let a second node's UPDATE through once the first commits; the job's unique key
      // then stops its insert, and the whole firing rolls back as lost
      if (SqlFailures.isUniqueViolation(e)) {
        return FireResult.lost();
      }
      throw e;
    }
  }

  private FireResult fire(Handle handle, ScheduleFiring firing) {
    int moved =
        handle
            .createUpdate(
                "UPDATE "
                    + table
                    + " SET next_fire_at = :next, updated_at = :now"
                    + " WHERE name = :name AND next_fire_at = :expected AND NOT paused")
            .bind("next", EpochMicros.of(firing.nextFireAt()))
            .bind("now", EpochMicros.of(firing.now()))
            .bind("name", firing.name())
            .bind("expected", EpochMicros.of(firing.fireAt()))
            .execute();
    NewJob job = firing.job();
    if (moved == 0) {
      return FireResult.lost();
    }
    if (job == null) {
      return new FireResult(true, null);
    }
    InsertResult inserted = insertJobs.apply(handle, List.of(job)).get(0);
    handle
        .createUpdate(
            "UPDATE "
                + table
                + " SET last_fire_at = :fireAt, last_job_id = :jobId WHERE name = :name")
        .bind("fireAt", EpochMicros.of(firing.fireAt()))
        .bind("jobId", inserted.id().value())
        .bind("name", firing.name())
        .execute();
    return new FireResult(true, inserted);
  }

  boolean pause(String name, Instant now) {
    return connections.withHandle(
        "pause a schedule",
        handle ->
            handle
                    .createUpdate(
                        "UPDATE "
                            + table
                            + " SET paused = TRUE, updated_at = :now WHERE name = :name")
                    .bind("now", EpochMicros.of(now))
                    .bind("name", name)
                    .execute()
                == 1);
  }

  boolean resume(String name, Instant nextFireAt, Instant now) {
    return connections.withHandle(
        "resume a schedule",
        handle ->
            handle
                    .createUpdate(
                        "UPDATE "
                            + table
                            + " SET paused = FALSE, next_fire_at = :next, updated_at = :now"
                            + " WHERE name = :name")
                    .bind("next", EpochMicros.of(nextFireAt))
                    .bind("now", EpochMicros.of(now))
                    .bind("name", name)
                    .execute()
                == 1);
  }

  boolean remove(String name) {
    return connections.withHandle(
        "remove a schedule",
        handle ->
            handle
                    .createUpdate("DELETE FROM " + table + " WHERE name = :name")
                    .bind("name", name)
                    .execute()
                == 1);
  }

  private static StoredSchedule read(ResultSet rs) throws SQLException {
    UUID lastJob = rs.getObject("last_job_id", UUID.class);
    long lastFire = rs.getLong("last_fire_at");
    @Nullable Instant lastFireAt = rs.wasNull() ? null : EpochMicros.toInstant(lastFire);
    return new StoredSchedule(
        rs.getString("name"),
        rs.getString("report_type"),
        JsonText.read(rs.getString("parameters"), "schedules.parameters"),
        rs.getString("trigger_spec"),
        Schedule.Overlap.valueOf(rs.getString("overlap")),
        Schedule.CatchUp.valueOf(rs.getString("catch_up")),
        rs.getBoolean("paused"),
        EpochMicros.toInstant(rs.getLong("next_fire_at")),
        lastFireAt,
        lastJob == null ? null : new JobId(lastJob),
        EpochMicros.toInstant(rs.getLong("updated_at")));
  }
}

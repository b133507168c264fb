package org.reportorchestrator.jdbc;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.reportorchestrator.JobError;
import org.reportorchestrator.JobHistoryEntry;
import org.reportorchestrator.ReportResult;
import org.reportorchestrator.spi.Transition;

/**
 * What the update of one transition binds, one value per parameter, in one place for both forms of
 * the statement: one row per statement (bound by name) and, on PostgreSQL, many rows in one
 * statement (bound as arrays, one per parameter, that the statement unnests).
 */
final class TransitionParameters {

  /** One parameter: its name, its SQL type and how a transition gives its value. */
  record Parameter(
      String name,
      String sqlType,
      Class<?> javaType,
      Function<Transition, @Nullable Object> value) {}

  static final List<Parameter> ALL =
      List.of(
          new Parameter("id", "UUID", UUID.class, t -> t.jobId().value()),
          new Parameter("token", "BIGINT", Long.class, t -> t.lease().fencingToken()),
          new Parameter("to", "VARCHAR", String.class, t -> t.to().name()),
          new Parameter("at", "BIGINT", Long.class, t -> EpochMicros.of(t.at())),
          new Parameter(
              "finishedAt",
              "BIGINT",
              Long.class,
              t -> t.to().isTerminal() ? Long.valueOf(EpochMicros.of(t.at())) : null),
          new Parameter(
              "nextRunAt", "BIGINT", Long.class, t -> EpochMicros.ofNullable(nextRunAt(t))),
          new Parameter(
              "refund", "INTEGER", Integer.class, t -> t instanceof Transition.Released ? 1 : 0),
          new Parameter("setError", "BOOLEAN", Boolean.class, t -> t.error() != null),
          new Parameter("errorType", "VARCHAR", String.class, t -> error(t, JobError::type)),
          new Parameter("errorMessage", "TEXT", String.class, t -> error(t, JobError::message)),
          new Parameter("errorStack", "TEXT", String.class, t -> error(t, JobError::stackTrace)),
          new Parameter(
              "historyErrorMessage",
              "VARCHAR",
              String.class,
              t -> error(t, e -> JobHistoryEntry.shortened(e.message()))),
          new Parameter(
              "completed", "BOOLEAN", Boolean.class, t -> t instanceof Transition.Completed),
          new Parameter(
              "resultContentType",
              "VARCHAR",
              String.class,
              t -> result(t, ReportResult::contentType)),
          new Parameter(
              "resultFileName", "VARCHAR", String.class, t -> result(t, ReportResult::fileName)),
          new Parameter("resultSize", "BIGINT", Long.class, t -> result(t, r -> r.sizeBytes())),
          new Parameter(
              "resultMetadata",
              "TEXT",
              String.class,
              t -> result(t, r -> JsonText.write(r.metadata()))),
          new Parameter("anyLease", "BOOLEAN", Boolean.class, t -> t.leaseExpiredBefore() == null),
          new Parameter(
              "leaseExpiredBefore",
              "BIGINT",
              Long.class,
              t -> EpochMicros.ofNullable(t.leaseExpiredBefore())));

  private TransitionParameters() {}

  private static @Nullable Instant nextRunAt(Transition transition) {
    if (transition instanceof Transition.Retried retried) {
      return retried.nextRunAt();
    }
    return transition instanceof Transition.Released ? transition.at() : null;
  }

  private static @Nullable Object error(
      Transition transition, Function<JobError, @Nullable Object> part) {
    JobError error = transition.error();
    return error == null ? null : part.apply(error);
  }

  private static @Nullable Object result(
      Transition transition, Function<ReportResult, @Nullable Object> part) {
    return transition instanceof Transition.Completed completed
        ? part.apply(completed.result())
        : null;
  }
}

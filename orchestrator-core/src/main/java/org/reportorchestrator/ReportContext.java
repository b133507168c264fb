package org.reportorchestrator;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import java.util.Optional;

/**
 * What a running {@link ReportTask} knows about its job and how it talks back. One instance per
 * attempt; thread-safe, so a task may report progress from threads of its own.
 */
public interface ReportContext {

  JobId jobId();

  String reportType();

  /** The attempt now running, 1 for the first. */
  int attempt();

  int maxAttempts();

  /** All parameters, unmodifiable. */
  Map<String, String> parameters();

  /**
   * A required parameter.
   *
   * @throws ReportParameterException naming the parameter if it is missing; the job fails without
   *     retry, since a rerun cannot add it
   */
  String parameter(String name);

  Optional<String> optionalParameter(String name);

  /**
   * A required parameter parsed as an {@code int}; a {@link ReportParameterException} if missing or
   * malformed.
   */
  int intParameter(String name);

  /**
   * A required parameter parsed as a {@code long}; a {@link ReportParameterException} if missing or
   * malformed.
   */
  long longParameter(String name);

  /** A required parameter that is {@code true} or {@code false} (any case). */
  boolean booleanParameter(String name);

  /** A required parameter in ISO-8601 form, such as {@code 2026-01-31}. */
  LocalDate dateParameter(String name);

  /**
   * Records how far the task has come, visible to {@link ReportOrchestrator#get(JobId)}. Every
   * change of percent is stored; a new message at an unchanged percent at most once a second, so
   * calling this for every row costs little.
   *
   * @param percent 0 to 100
   * @param message a short description of the current step, or {@code null}
   */
  void progress(int percent, @org.jspecify.annotations.Nullable String message);

  /** Whether the job was cancelled, or this node lost it; the task should stop soon. */
  boolean isCancellationRequested();

  /** Throws {@link ReportCancelledException} if {@link #isCancellationRequested()}. */
  void throwIfCancellationRequested();

  /** When this attempt times out, by the orchestrator's clock. */
  Instant deadline();
}

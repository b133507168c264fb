package org.reportorchestrator;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.Objects;

/**
 * A place in the listing order of {@link JobQuery} (creation time, then id): a page that starts
 * after it holds the jobs listed later. Immutable and thread-safe.
 *
 * <p>A cursor names a place, not a job, so it stays valid when that job changes state or is purged,
 * and a deep page costs a store as much as the first. Its {@link #toString() text form} suits a
 * URL's query string, for a web page to hand back.
 *
 * @param createdAt the creation time of the last job listed
 * @param id the id of the last job listed, which breaks ties in creation time
 */
public record JobCursor(Instant createdAt, JobId id) implements Comparable<JobCursor> {

  private static final Comparator<JobCursor> ORDER =
      Comparator.comparing(JobCursor::createdAt).thenComparing(JobCursor::id);

  public JobCursor {
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(id, "id");
  }

  /** The place of {@code job}: the next page starts with the job listed after it. */
  public static JobCursor of(JobSnapshot job) {
    Objects.requireNonNull(job, "job");
    return new JobCursor(job.createdAt(), job.id());
  }

  /**
   * Parses the form produced by {@link #toString()}.
   *
   * @throws IllegalArgumentException if {@code text} is not a cursor
   */
  public static JobCursor parse(String text) {
    Objects.requireNonNull(text, "text");
    int separator = text.indexOf('_');
    if (separator < 0) {
      throw new IllegalArgumentException("not a job cursor: '" + text + "'");
    }
    try {
      return new JobCursor(
          Instant.parse(text.substring(0, separator)), JobId.parse(text.substring(separator + 1)));
    } catch (DateTimeParseException | IllegalArgumentException e) {
      throw new IllegalArgumentException("not a job cursor: '" + text + "'", e);
    }
  }

  /** In listing order: by creation time, then by id. */
  @Override
  public int compareTo(JobCursor other) {
    return ORDER.compare(this, other);
  }

  /** The creation time in ISO-8601 and the id, joined by {@code _}. */
  @Override
  public String toString() {
    return createdAt + "_" + id;
  }
}

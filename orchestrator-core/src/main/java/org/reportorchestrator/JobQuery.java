package org.reportorchestrator;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Which jobs to list and which page of them, oldest first (by creation time, then id) or, with
 * {@link #newestFirst()}, in the reverse of that order. Immutable and thread-safe.
 *
 * <p>Pages follow one another by cursor rather than by offset, so that every page costs the same
 * and a job that changes state or is purged between two pages shifts no other job into or out of
 * the next one:
 *
 * <pre>{@code
 * JobQuery query = JobQuery.all().inStates(JobState.FAILED);
 * List<JobSnapshot> page = orchestrator.query(query);
 * while (!page.isEmpty()) {
 *   page.forEach(this::show);
 *   page = orchestrator.query(query.after(page.get(page.size() - 1)));
 * }
 * }</pre>
 *
 * @param states the states to include; empty for all
 * @param reportType the report type to include, or {@code null} for all
 * @param after the page holds only jobs listed after this place, or all from the first if {@code
 *     null}
 * @param limit the most jobs to return, 1 to {@value #MAX_LIMIT}
 * @param order oldest or newest first
 */
public record JobQuery(
    Set<JobState> states,
    @Nullable String reportType,
    @Nullable JobCursor after,
    int limit,
    JobQuery.Order order) {

  /** The order of a listing. */
  public enum Order {
    /** By creation time, then id, both ascending. */
    OLDEST_FIRST,
    /** The reverse: by creation time, then id, both descending. */
    NEWEST_FIRST
  }

  /** The largest page. */
  public static final int MAX_LIMIT = 1_000;

  public JobQuery {
    Objects.requireNonNull(states, "states");
    Objects.requireNonNull(order, "order");
    states = states.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(states));
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT + ": " + limit);
    }
    if (reportType != null) {
      // a type no store can hold matches nothing; refused so that no store matches it loosely
      StoredText.require("reportType", reportType);
    }
  }

  /** Oldest first. */
  public JobQuery(
      Set<JobState> states, @Nullable String reportType, @Nullable JobCursor after, int limit) {
    this(states, reportType, after, limit, Order.OLDEST_FIRST);
  }

  /** The first 100 jobs of every state and type, oldest first. */
  public static JobQuery all() {
    return new JobQuery(Set.of(), null, null, 100, Order.OLDEST_FIRST);
  }

  public JobQuery inStates(JobState first, JobState... rest) {
    return new JobQuery(EnumSet.of(first, rest), reportType, after, limit, order);
  }

  public JobQuery ofType(String type) {
    return new JobQuery(states, Objects.requireNonNull(type, "reportType"), after, limit, order);
  }

  /**
   * The same jobs in the reverse order: newest first, and ties in creation time in descending id
   * order. A cursor taken from such a page continues it with older jobs.
   */
  public JobQuery newestFirst() {
    return new JobQuery(states, reportType, after, limit, Order.NEWEST_FIRST);
  }

  /** The page after {@code cursor} in this query's order, with the same filters and limit. */
  public JobQuery after(JobCursor cursor) {
    return new JobQuery(states, reportType, Objects.requireNonNull(cursor, "after"), limit, order);
  }

  /** The page after {@code lastListed}, typically the last job of the previous page. */
  public JobQuery after(JobSnapshot lastListed) {
    return after(JobCursor.of(Objects.requireNonNull(lastListed, "after")));
  }

  public JobQuery limit(int newLimit) {
    return new JobQuery(states, reportType, after, newLimit, order);
  }

  /** Whether {@code state} and {@code type} match this query's filters; the cursor aside. */
  public boolean matches(JobState state, String type) {
    return (states.isEmpty() || states.contains(state))
        && (reportType == null || reportType.equals(type));
  }
}

package org.reportorchestrator;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The jobs of the whole store (every node's) per report type, as read at {@link #readAt()}: for
 * dashboards and alerts. {@link ReportOrchestrator#statistics()} serves it from a cache that is
 * read again from the store at most once per statistics interval, so it may be up to that old.
 * Immutable and thread-safe.
 *
 * @param readAt when the store was read, by the orchestrator's clock
 * @param byType one entry per report type that has at least one job in the store
 */
public record QueueStatistics(Instant readAt, Map<String, ForType> byType) {

  public QueueStatistics {
    Objects.requireNonNull(readAt, "readAt");
    byType = Map.copyOf(byType);
  }

  /**
   * The jobs of one report type.
   *
   * @param counts how many jobs are in each state; a state without jobs is absent
   * @param due how many jobs are {@code REQUESTED} and due (their run time has come)
   * @param oldestDueRunAt when the longest-waiting due job became due; {@code null} if none is due
   * @param lag how long that job had waited at {@code readAt}: {@code readAt - oldestDueRunAt}, or
   *     zero when nothing is due. A lag that keeps growing means the workers do not keep up.
   */
  public record ForType(
      Map<JobState, Long> counts, long due, @Nullable Instant oldestDueRunAt, Duration lag) {

    public ForType {
      Map<JobState, Long> copy = new EnumMap<>(JobState.class);
      copy.putAll(counts);
      counts = Map.copyOf(copy);
      Objects.requireNonNull(lag, "lag");
    }

    /** How many jobs of this type are in {@code state}; 0 if none. */
    public long count(JobState state) {
      return counts.getOrDefault(state, 0L);
    }
  }

  /** How many jobs of every type are in {@code state}. */
  public long count(JobState state) {
    return byType.values().stream().mapToLong(type -> type.count(state)).sum();
  }

  /** How many jobs of {@code reportType} are in {@code state}; 0 for a type without jobs. */
  public long count(String reportType, JobState state) {
    ForType type = byType.get(reportType);
    return type == null ? 0 : type.count(state);
  }

  /** How many jobs of every type are due. */
  public long due() {
    return byType.values().stream().mapToLong(ForType::due).sum();
  }

  /** How many jobs of {@code reportType} are due; 0 for a type without jobs. */
  public long due(String reportType) {
    ForType type = byType.get(reportType);
    return type == null ? 0 : type.due();
  }

  /** The greatest lag of any type; zero when nothing is due. */
  public Duration lag() {
    return byType.values().stream()
        .map(ForType::lag)
        .max(Duration::compareTo)
        .orElse(Duration.ZERO);
  }

  /** The lag of {@code reportType}; zero for a type with nothing due. */
  public Duration lag(String reportType) {
    ForType type = byType.get(reportType);
    return type == null ? Duration.ZERO : type.lag();
  }
}

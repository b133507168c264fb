package org.reportorchestrator.spi;

import java.util.Map;
import java.util.Objects;

/**
 * What {@link JobRepository#statistics} returns: the jobs of the whole store (every node's), per
 * report type. Immutable and thread-safe.
 *
 * @param byType one entry per report type that has at least one job
 */
public record JobStatistics(Map<String, TypeStatistics> byType) {

  /** A store without jobs. */
  public static final JobStatistics EMPTY = new JobStatistics(Map.of());

  public JobStatistics {
    byType.forEach(
        (type, statistics) -> {
          Objects.requireNonNull(type, "reportType");
          Objects.requireNonNull(statistics, "statistics");
        });
    byType = Map.copyOf(byType);
  }
}

package org.reportorchestrator;

import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What is known about a completed job's result without reading its content. Immutable and
 * thread-safe.
 *
 * @param contentType the MIME type, such as {@code text/csv}
 * @param fileName a suggested file name, if the task gave one
 * @param sizeBytes the length of the content
 * @param metadata small key-value facts the task attached, such as a row count
 */
public record ResultInfo(
    String contentType, @Nullable String fileName, long sizeBytes, Map<String, String> metadata) {

  public ResultInfo {
    Objects.requireNonNull(contentType, "contentType");
    metadata = Map.copyOf(metadata);
    if (sizeBytes < 0) {
      throw new IllegalArgumentException("sizeBytes must not be negative: " + sizeBytes);
    }
  }
}

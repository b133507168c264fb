package org.reportorchestrator.jdbc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.reportorchestrator.JobHistoryEntry;
import org.reportorchestrator.JobState;
import org.reportorchestrator.StorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the {@code history} column that {@link HistorySql} writes: one JSON array per line, {@code
 * [from, to, at, attempt, node, errorType, errorMessage]}.
 */
final class HistoryText {

  private static final Logger LOG = LoggerFactory.getLogger(HistoryText.class);

  private HistoryText() {}

  /**
   * The entries, oldest first. A line that is not an entry is left out and logged: one damaged line
   * (a hand edit, say) must not hide the rest of a job's history.
   */
  static List<JobHistoryEntry> read(String history) {
    List<JobHistoryEntry> entries = new ArrayList<>();
    for (String line : history.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      try {
        entries.add(entry(line));
      } catch (RuntimeException e) {
        LOG.warn("a job's history holds a line that is not an entry, left out: {}", line, e);
      }
    }
    return List.copyOf(entries);
  }

  private static JobHistoryEntry entry(String line) {
    try {
      JsonNode entry = JsonText.MAPPER.readTree(line);
      String from = text(entry, 0);
      String to = text(entry, 1);
      if (!entry.isArray() || to == null || !entry.path(2).canConvertToLong()) {
        throw new StorageException("a history entry lacks its state or time: " + line);
      }
      return new JobHistoryEntry(
          from == null ? null : JobState.valueOf(from),
          JobState.valueOf(to),
          EpochMicros.toInstant(entry.path(2).asLong()),
          entry.path(3).asInt(),
          text(entry, 4),
          text(entry, 5),
          text(entry, 6));
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new StorageException("column history holds an entry that is not one: " + line, e);
    }
  }

  private static @Nullable String text(JsonNode entry, int index) {
    JsonNode value = entry.get(index);
    return value == null || value.isNull() ? null : value.asText();
  }
}

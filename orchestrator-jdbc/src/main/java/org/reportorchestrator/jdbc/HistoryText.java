package org.reportorchestrator.jdbc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.reportorchestrator.JobHistoryEntry;
import org.reportorchestrator.JobState;
import org.reportorchestrator.StorageException;

/** Reads the {@code history} column that {@link HistorySql} writes: one JSON object per line. */
final class HistoryText {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private HistoryText() {}

  static List<JobHistoryEntry> read(String history) {
    List<JobHistoryEntry> entries = new ArrayList<>();
    for (String line : history.split("\n")) {
      if (!line.isBlank()) {
        entries.add(entry(line));
      }
    }
    return List.copyOf(entries);
  }

  private static JobHistoryEntry entry(String line) {
    try {
      JsonNode node = MAPPER.readTree(line);
      String from = text(node, "from");
      String to = text(node, "to");
      if (to == null || !node.path("at").canConvertToLong()) {
        throw new StorageException("a history entry lacks its state or time: " + line);
      }
      return new JobHistoryEntry(
          from == null ? null : JobState.valueOf(from),
          JobState.valueOf(to),
          EpochMicros.toInstant(node.path("at").asLong()),
          node.path("attempt").asInt(),
          text(node, "node"),
          text(node, "errorType"),
          text(node, "errorMessage"));
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new StorageException("column history holds an entry that is not one: " + line, e);
    }
  }

  private static @Nullable String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }
}

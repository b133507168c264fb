package org.reportorchestrator.jdbc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.util.TreeMap;
import org.reportorchestrator.StorageException;

/** String maps (job parameters, result metadata) as JSON objects in text columns. */
final class JsonText {

  /** The module's one mapper; thread-safe once configured, and never reconfigured. */
  static final ObjectMapper MAPPER = new ObjectMapper();

  private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {};

  private JsonText() {}

  /** Writes the entries sorted by key, so equal maps give equal text. */
  static String write(Map<String, String> map) {
    try {
      return MAPPER.writeValueAsString(new TreeMap<>(map));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a string map as JSON", e);
    }
  }

  static Map<String, String> read(String json, String column) {
    try {
      Map<String, String> map = MAPPER.readValue(json, STRING_MAP);
      return map == null ? Map.of() : map;
    } catch (JsonProcessingException e) {
      throw new StorageException("column " + column + " does not hold a JSON object of strings", e);
    }
  }
}

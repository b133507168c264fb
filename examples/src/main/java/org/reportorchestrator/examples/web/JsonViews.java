package org.reportorchestrator.examples.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.reportorchestrator.JobCursor;
import org.reportorchestrator.JobError;
import org.reportorchestrator.JobHistoryEntry;
import org.reportorchestrator.JobId;
import org.reportorchestrator.JobQuery;
import org.reportorchestrator.JobSnapshot;
import org.reportorchestrator.JobState;
import org.reportorchestrator.OrchestratorHealth;
import org.reportorchestrator.QueueStatistics;
import org.reportorchestrator.ResultInfo;

/**
 * Turns request bodies into parameters and jobs into JSON. Stateless; thread-safe as its {@link
 * ObjectMapper} is.
 */
final class JsonViews {

  private final ObjectMapper mapper;

  JsonViews(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /**
   * Reads a body that must be a JSON object whose values are all strings; an empty body means no
   * parameters.
   *
   * @throws IllegalArgumentException naming what is wrong with the body
   */
  Map<String, String> parameters(String body) {
    if (body.isBlank()) {
      return Map.of();
    }
    JsonNode tree;
    try {
      tree = mapper.readTree(body);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("the body is not valid JSON: " + e.getOriginalMessage());
    }
    if (!tree.isObject()) {
      throw new IllegalArgumentException(
          "the body must be a JSON object of string parameters, not " + describe(tree));
    }
    Map<String, String> parameters = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> field : tree.properties()) {
      JsonNode value = field.getValue();
      if (value.isNull()) {
        throw new IllegalArgumentException("parameter '" + field.getKey() + "' has a null value");
      }
      if (!value.isTextual()) {
        throw new IllegalArgumentException(
            "parameter '"
                + field.getKey()
                + "' must be a JSON string, not "
                + describe(value)
                + " (write \"12\", not 12)");
      }
      parameters.put(field.getKey(), value.textValue());
    }
    return parameters;
  }

  /** The answer to a submit. */
  ObjectNode submitted(JobId id, JobState state) {
    return mapper.createObjectNode().put("id", id.toString()).put("state", state.name());
  }

  /** What a client polls: state, attempts, progress, times, error and result, no stack trace. */
  ObjectNode snapshot(JobSnapshot job) {
    ObjectNode node = mapper.createObjectNode();
    node.put("id", job.id().toString());
    node.put("type", job.reportType());
    node.put("state", job.state().name());
    node.put("attempt", job.attempt());
    node.put("maxAttempts", job.maxAttempts());
    node.put("priority", job.priority());
    node.put("idempotencyKey", job.idempotencyKey());
    node.set("parameters", strings(job.parameters()));
    node.putObject("progress")
        .put("percent", job.progress().percent())
        .put("message", job.progress().message());
    node.put("cancellationRequested", job.cancellationRequested());
    node.put("createdAt", iso(job.createdAt()));
    node.put("updatedAt", iso(job.updatedAt()));
    node.put("nextRunAt", iso(job.nextRunAt()));
    node.put("startedAt", iso(job.startedAt()));
    node.put("finishedAt", iso(job.finishedAt()));
    JobError error = job.lastError();
    if (error == null) {
      node.putNull("error");
    } else {
      node.putObject("error").put("type", error.type()).put("message", error.message());
    }
    ResultInfo result = job.result();
    if (result == null) {
      node.putNull("result");
    } else {
      ObjectNode info = node.putObject("result");
      info.put("contentType", result.contentType());
      info.put("fileName", result.fileName());
      info.put("sizeBytes", result.sizeBytes());
      info.set("metadata", strings(result.metadata()));
      info.put("href", "/reports/" + job.id() + "/result");
    }
    return node;
  }

  /**
   * A page of jobs with the paging that produced it. {@code next}, the cursor to pass as {@code
   * after} for the following page, is null once a page comes back short: there are no more.
   */
  ObjectNode page(JobQuery query, List<JobSnapshot> jobs) {
    ObjectNode node = mapper.createObjectNode();
    JobCursor after = query.after();
    node.put("after", after == null ? null : after.toString());
    node.put("limit", query.limit());
    node.put("order", query.order() == JobQuery.Order.NEWEST_FIRST ? "newest" : "oldest");
    node.put(
        "next",
        jobs.size() < query.limit() ? null : JobCursor.of(jobs.get(jobs.size() - 1)).toString());
    ArrayNode items = node.putArray("jobs");
    jobs.forEach(job -> items.add(snapshot(job)));
    return node;
  }

  /**
   * An RFC 9457 problem: {@code type} is {@code about:blank}, so the status says what kind of error
   * it is and the title is the status's reason phrase; {@code detail} says what was wrong with this
   * request, in words meant for the person who made it.
   */
  ObjectNode problem(int status, String title, String detail) {
    return mapper
        .createObjectNode()
        .put("type", "about:blank")
        .put("title", title)
        .put("status", status)
        .put("detail", detail);
  }

  /** A failed attempt's error in full, with the stack trace that {@link #snapshot} leaves out. */
  ObjectNode error(JobError error) {
    return mapper
        .createObjectNode()
        .put("type", error.type())
        .put("message", error.message())
        .put("stackTrace", error.stackTrace());
  }

  /**
   * {@code {readAt, due, lagSeconds, types: [{type, counts: {STATE: n}, due, lagSeconds}]}}, types
   * by name; every state is present in {@code counts}, with 0 where there are none.
   */
  ObjectNode statistics(QueueStatistics statistics) {
    ObjectNode node =
        mapper
            .createObjectNode()
            .put("readAt", iso(statistics.readAt()))
            .put("due", statistics.due())
            .put("lagSeconds", seconds(statistics.lag()));
    ArrayNode types = node.putArray("types");
    for (String type : new TreeSet<>(statistics.byType().keySet())) {
      ObjectNode item = types.addObject().put("type", type);
      ObjectNode counts = item.putObject("counts");
      for (JobState state : JobState.values()) {
        counts.put(state.name(), statistics.count(type, state));
      }
      item.put("due", statistics.due(type)).put("lagSeconds", seconds(statistics.lag(type)));
    }
    return node;
  }

  /** {@code {samples: [{at, finishedPerMinute, due, lagSeconds}]}}, oldest first. */
  ObjectNode activity(List<ActivityHistory.Sample> samples) {
    ObjectNode node = mapper.createObjectNode();
    ArrayNode items = node.putArray("samples");
    for (ActivityHistory.Sample sample : samples) {
      items
          .addObject()
          .put("at", iso(sample.at()))
          .put("finishedPerMinute", sample.finishedPerMinute())
          .put("due", sample.due())
          .put("lagSeconds", seconds(sample.lag()));
    }
    return node;
  }

  /** The node's health, every field of {@link OrchestratorHealth}; durations in seconds. */
  ObjectNode health(OrchestratorHealth health) {
    ObjectNode node =
        mapper
            .createObjectNode()
            .put("status", health.status().name())
            .put("checkedAt", iso(health.checkedAt()))
            .put("runsJobs", health.runsJobs())
            .put("schedulerAlive", health.schedulerAlive())
            .put("lastPollAt", iso(health.lastPollAt()))
            .put("lastStoreSuccessAt", iso(health.lastStoreSuccessAt()))
            .put("lastStoreErrorAt", iso(health.lastStoreErrorAt()))
            // the error's own text can name hosts, users and tables: it stays in the server's log
            .put(
                "lastStoreError",
                health.lastStoreError() == null ? null : "the job store failed; see the server log")
            .put("busyWorkers", health.busyWorkers())
            .put("workers", health.workers());
    Duration lag = health.lag();
    node.put("lagSeconds", lag == null ? null : seconds(lag));
    ArrayNode problems = node.putArray("problems");
    health.problems().forEach(problems::add);
    return node;
  }

  private static double seconds(Duration duration) {
    return duration.toMillis() / 1000.0;
  }

  /** A job's history, oldest first: {@code {entries: [{from, to, at, attempt, node, ...}]}}. */
  ObjectNode history(List<JobHistoryEntry> history) {
    ObjectNode node = mapper.createObjectNode();
    ArrayNode entries = node.putArray("entries");
    for (JobHistoryEntry entry : history) {
      JobState from = entry.from();
      entries
          .addObject()
          .put("from", from == null ? null : from.name())
          .put("to", entry.to().name())
          .put("at", iso(entry.at()))
          .put("attempt", entry.attempt())
          .put("node", entry.nodeId())
          .put("errorType", entry.errorType())
          .put("errorMessage", entry.errorMessage());
    }
    return node;
  }

  /** The report types a client may submit, each with example parameters, in the given order. */
  ObjectNode reportTypes(List<ReportType> types) {
    ObjectNode node = mapper.createObjectNode();
    ArrayNode items = node.putArray("types");
    for (ReportType type : types) {
      ObjectNode item = items.addObject().put("name", type.name());
      item.set("exampleParameters", strings(new TreeMap<>(type.exampleParameters())));
    }
    return node;
  }

  private ObjectNode strings(Map<String, String> values) {
    ObjectNode node = mapper.createObjectNode();
    values.forEach(node::put);
    return node;
  }

  private static @Nullable String iso(@Nullable Instant instant) {
    return instant == null ? null : instant.toString();
  }

  private static String describe(JsonNode node) {
    return switch (node.getNodeType()) {
      case ARRAY -> "an array";
      case OBJECT -> "an object";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case NULL -> "null";
      default -> node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    };
  }
}

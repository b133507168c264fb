package org.reportorchestrator;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a caller asks to have run: a report type, its parameters and how to schedule it. Immutable
 * and thread-safe. Build one with {@link #builder(String)}; every bound is checked here, so a bad
 * request fails before anything reaches the store.
 *
 * <p>Every store keeps the text of a request exactly as given, so text it could not keep is refused
 * here, the same whichever store is used: the report type, the idempotency key and every parameter
 * name and value must be well-formed UTF-16 (no surrogate without its partner) and contain no NUL
 * character (U+0000). Lengths are counted in UTF-16 chars ({@link String#length()}).
 *
 * @param reportType the registered type of report to run
 * @param parameters string parameters handed to the task; at most {@value #MAX_PARAMETERS} entries
 *     and {@value #MAX_PARAMETERS_BYTES} bytes of UTF-8 in keys and values together
 * @param idempotencyKey when set, a second submit with the same key returns the first job's id
 * @param startAt the earliest time the job may start; {@code null} to start as soon as possible
 * @param startAfter a delay from submit time; {@code null} for none. At most one of {@code startAt}
 *     and {@code startAfter} is set
 * @param priority higher runs first among due jobs; 0 by default
 * @param maxAttempts overrides the report type's retry policy for this job; {@code null} to keep it
 * @param timeout overrides the report type's timeout for this job; {@code null} to keep it
 */
public record ReportRequest(
    String reportType,
    Map<String, String> parameters,
    @Nullable String idempotencyKey,
    @Nullable Instant startAt,
    @Nullable Duration startAfter,
    int priority,
    @Nullable Integer maxAttempts,
    @Nullable Duration timeout) {

  /** The most parameters a request may carry. */
  public static final int MAX_PARAMETERS = 256;

  /** The most UTF-8 bytes all parameter keys and values of one request may take together. */
  public static final int MAX_PARAMETERS_BYTES = 65_536;

  /** The longest report type name. */
  public static final int MAX_REPORT_TYPE_LENGTH = 128;

  /** The longest parameter name. */
  public static final int MAX_PARAMETER_NAME_LENGTH = 128;

  /** The longest idempotency key. */
  public static final int MAX_IDEMPOTENCY_KEY_LENGTH = 200;

  /** The most attempts a request may ask for. */
  public static final int MAX_ATTEMPTS_LIMIT = 100;

  /** The longest timeout a request (or a report type's {@link TaskOptions}) may set: 7 days. */
  public static final Duration MAX_TIMEOUT = Duration.ofDays(7);

  /** The longest {@code startAfter} delay: 100 years. */
  public static final Duration MAX_START_DELAY = Duration.ofDays(36_525);

  /** The earliest {@code startAt}: the start of year 0. */
  public static final Instant EARLIEST_START_AT = Instant.parse("0000-01-01T00:00:00Z");

  /** The latest {@code startAt}: the end of year 9999. */
  public static final Instant LATEST_START_AT = Instant.parse("9999-12-31T23:59:59.999999Z");

  public ReportRequest {
    reportType = checkReportType(reportType);
    parameters = checkParameters(parameters);
    if (idempotencyKey != null) {
      if (idempotencyKey.isBlank()) {
        throw new IllegalArgumentException("idempotencyKey must not be blank");
      }
      StoredText.require("idempotencyKey", idempotencyKey, MAX_IDEMPOTENCY_KEY_LENGTH);
    }
    if (startAt != null && startAfter != null) {
      throw new IllegalArgumentException("set at most one of startAt and startAfter");
    }
    if (startAfter != null
        && (startAfter.isNegative() || startAfter.compareTo(MAX_START_DELAY) > 0)) {
      throw new IllegalArgumentException(
          "startAfter must be between zero and " + MAX_START_DELAY + " (100 years): " + startAfter);
    }
    if (startAt != null
        && (startAt.isBefore(EARLIEST_START_AT) || startAt.isAfter(LATEST_START_AT))) {
      throw new IllegalArgumentException(
          "startAt must be between "
              + EARLIEST_START_AT
              + " and "
              + LATEST_START_AT
              + ": "
              + startAt);
    }
    if (maxAttempts != null && (maxAttempts < 1 || maxAttempts > MAX_ATTEMPTS_LIMIT)) {
      throw new IllegalArgumentException(
          "maxAttempts must be between 1 and " + MAX_ATTEMPTS_LIMIT + ": " + maxAttempts);
    }
    if (timeout != null) {
      checkTimeout(timeout);
    }
  }

  /** Refuses a timeout that is not positive or longer than {@link #MAX_TIMEOUT}. */
  static Duration checkTimeout(Duration timeout) {
    if (timeout.isZero() || timeout.isNegative() || timeout.compareTo(MAX_TIMEOUT) > 0) {
      throw new IllegalArgumentException(
          "timeout must be positive and at most " + MAX_TIMEOUT + " (7 days): " + timeout);
    }
    return timeout;
  }

  /** A request for {@code reportType} with no parameters and default scheduling. */
  public static ReportRequest of(String reportType) {
    return builder(reportType).build();
  }

  /** A request for {@code reportType} with the given parameters and default scheduling. */
  public static ReportRequest of(String reportType, Map<String, String> parameters) {
    return builder(reportType).parameters(parameters).build();
  }

  public static Builder builder(String reportType) {
    return new Builder(reportType);
  }

  static String checkReportType(@Nullable String reportType) {
    if (reportType == null) {
      throw new IllegalArgumentException("reportType must not be null");
    }
    if (reportType.isBlank()) {
      throw new IllegalArgumentException("reportType must not be blank");
    }
    if (reportType.length() > MAX_REPORT_TYPE_LENGTH) {
      throw new IllegalArgumentException(
          "reportType is "
              + reportType.length()
              + " characters long; the limit is "
              + MAX_REPORT_TYPE_LENGTH);
    }
    return StoredText.require("reportType", reportType);
  }

  private static Map<String, String> checkParameters(@Nullable Map<String, String> parameters) {
    if (parameters == null) {
      throw new IllegalArgumentException("parameters must not be null (use an empty map)");
    }
    if (parameters.size() > MAX_PARAMETERS) {
      throw new IllegalArgumentException(
          "request has " + parameters.size() + " parameters; the limit is " + MAX_PARAMETERS);
    }
    long bytes = 0;
    Map<String, String> copy = new LinkedHashMap<>();
    for (Map.Entry<String, String> entry : parameters.entrySet()) {
      String name = entry.getKey();
      String value = entry.getValue();
      if (name == null) {
        throw new IllegalArgumentException("parameter names must not be null");
      }
      if (name.isBlank()) {
        throw new IllegalArgumentException("parameter names must not be blank");
      }
      if (name.length() > MAX_PARAMETER_NAME_LENGTH) {
        throw new IllegalArgumentException(
            "parameter name '"
                + name.substring(0, 32)
                + "...' is "
                + name.length()
                + " characters long; the limit is "
                + MAX_PARAMETER_NAME_LENGTH);
      }
      StoredText.require("a parameter name", name);
      if (value == null) {
        throw new IllegalArgumentException("parameter '" + name + "' has a null value");
      }
      StoredText.require("the value of parameter '" + name + "'", value);
      bytes += name.getBytes(StandardCharsets.UTF_8).length;
      bytes += value.getBytes(StandardCharsets.UTF_8).length;
      if (bytes > MAX_PARAMETERS_BYTES) {
        throw new IllegalArgumentException(
            "parameters exceed "
                + MAX_PARAMETERS_BYTES
                + " bytes of UTF-8 (the limit was passed at parameter '"
                + name
                + "')");
      }
      copy.put(name, value);
    }
    return java.util.Collections.unmodifiableMap(copy);
  }

  /** Builds a {@link ReportRequest}. Not thread-safe. */
  public static final class Builder {
    private final String reportType;
    private final Map<String, String> parameters = new LinkedHashMap<>();
    private @Nullable String idempotencyKey;
    private @Nullable Instant startAt;
    private @Nullable Duration startAfter;
    private int priority;
    private @Nullable Integer maxAttempts;
    private @Nullable Duration timeout;

    private Builder(String reportType) {
      this.reportType = reportType;
    }

    /** Adds one parameter, replacing an earlier one of the same name. */
    public Builder parameter(String name, String value) {
      if (name == null) {
        throw new IllegalArgumentException("parameter names must not be null");
      }
      if (value == null) {
        throw new IllegalArgumentException("parameter '" + name + "' has a null value");
      }
      parameters.put(name, value);
      return this;
    }

    /** Adds all the given parameters. */
    public Builder parameters(Map<String, String> values) {
      if (values == null) {
        throw new IllegalArgumentException("parameters must not be null (use an empty map)");
      }
      values.forEach(this::parameter);
      return this;
    }

    public Builder idempotencyKey(@Nullable String key) {
      this.idempotencyKey = key;
      return this;
    }

    /** The job starts no earlier than {@code instant}. Replaces {@link #startAfter}. */
    public Builder startAt(Instant instant) {
      this.startAt = Objects.requireNonNull(instant, "startAt");
      this.startAfter = null;
      return this;
    }

    /** The job starts no earlier than {@code delay} after submit. Replaces {@link #startAt}. */
    public Builder startAfter(Duration delay) {
      this.startAfter = Objects.requireNonNull(delay, "startAfter");
      this.startAt = null;
      return this;
    }

    public Builder priority(int priority) {
      this.priority = priority;
      return this;
    }

    public Builder maxAttempts(int maxAttempts) {
      this.maxAttempts = maxAttempts;
      return this;
    }

    public Builder timeout(Duration timeout) {
      this.timeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    public ReportRequest build() {
      return new ReportRequest(
          reportType,
          parameters,
          idempotencyKey,
          startAt,
          startAfter,
          priority,
          maxAttempts,
          timeout);
    }
  }
}

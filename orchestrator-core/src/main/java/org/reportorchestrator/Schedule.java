package org.reportorchestrator;

import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.reportorchestrator.internal.ScheduleAccess;
import org.reportorchestrator.internal.Trigger;

/**
 * A recurring report: a name, the report type and parameters of the job it makes, and when it fires
 * (a cron expression in a time zone, or a fixed interval). Immutable and thread-safe; every factory
 * and wither checks its arguments and names the bad one.
 *
 * <pre>{@code
 * Schedule nightly = Schedule.cron("nightly-sales", "sales-summary", "30 2 * * *",
 *         ZoneId.of("Europe/Berlin"))
 *     .withParameters(Map.of("region", "EMEA"));
 * }</pre>
 *
 * <p>Each fire time makes at most one job, whichever and however many nodes see it; the job's
 * idempotency key is {@code schedule:<name>@<fire time as an ISO-8601 instant>}. See
 * docs/scheduling.md for the cron dialect, time zones and daylight saving time.
 */
public final class Schedule {

  /** The longest schedule name. */
  public static final int MAX_NAME_LENGTH = 100;

  /** The longest cron expression. */
  public static final int MAX_CRON_LENGTH = 200;

  /** The shortest interval of {@link #every}. */
  public static final Duration MIN_INTERVAL = Duration.ofSeconds(1);

  /** The longest interval of {@link #every}: 366 days. */
  public static final Duration MAX_INTERVAL = Duration.ofDays(366);

  /** What a fire time does while the schedule's previous job has not finished. */
  public enum Overlap {
    /** Makes no job for this fire time; the schedule moves on to the next. The default. */
    SKIP,
    /**
     * Makes the job anyway; it waits in the queue like any submitted job, and may run beside the
     * previous one unless the report type has a running limit of 1.
     */
    QUEUE
  }

  /** What happens to fire times that passed while no node was there to fire them. */
  public enum CatchUp {
    /**
     * One job for all the fire times missed (keyed on the earliest of them), then the next fire
     * time after now. The default: a nightly report missed during an outage still runs once.
     */
    ONE,
    /** No job for fire times missed by more than a minute; the next fire time after now. */
    NONE
  }

  static {
    // the runtime lists stored cron schedules without cron-utils: their text was checked when
    // they were stored
    ScheduleAccess.register(
        (name, reportType, expression, zone) ->
            new Schedule(
                name, reportType, Map.of(), expression, zone, null, Overlap.SKIP, CatchUp.ONE));
  }

  private final String name;
  private final String reportType;
  private final Map<String, String> parameters;
  private final @Nullable String cronExpression;
  private final @Nullable ZoneId zone;
  private final @Nullable Duration interval;
  private final Overlap overlap;
  private final CatchUp catchUp;

  private Schedule(
      String name,
      String reportType,
      Map<String, String> parameters,
      @Nullable String cronExpression,
      @Nullable ZoneId zone,
      @Nullable Duration interval,
      Overlap overlap,
      CatchUp catchUp) {
    this.name = name;
    this.reportType = reportType;
    this.parameters = parameters;
    this.cronExpression = cronExpression;
    this.zone = zone;
    this.interval = interval;
    this.overlap = overlap;
    this.catchUp = catchUp;
  }

  /**
   * A schedule that fires at the times a UNIX cron expression (5 fields: minute, hour, day of
   * month, month, day of week) names, read as wall-clock times in {@code zone}. Needs cron-utils
   * ({@code com.cronutils:cron-utils}) on the class path.
   *
   * @throws IllegalArgumentException for a blank or too long name, a bad report type, or a cron
   *     expression that does not parse or never fires
   * @throws IllegalStateException if cron-utils is not on the class path
   */
  public static Schedule cron(String name, String reportType, String cronExpression, ZoneId zone) {
    String checkedName = checkName(name);
    String type = ReportRequest.checkReportType(reportType);
    if (cronExpression == null) {
      throw new IllegalArgumentException("cronExpression must not be null");
    }
    StoredText.require("cronExpression", cronExpression, MAX_CRON_LENGTH);
    if (zone == null) {
      throw new IllegalArgumentException("zone must not be null");
    }
    String expression = cronExpression.strip().replaceAll("\\s+", " ");
    Trigger.cron(expression, zone);
    return new Schedule(
        checkedName, type, Map.of(), expression, zone, null, Overlap.SKIP, CatchUp.ONE);
  }

  /**
   * A schedule that fires every {@code interval}, from one interval after it is first stored.
   *
   * @throws IllegalArgumentException for a blank or too long name, a bad report type, or an
   *     interval outside {@link #MIN_INTERVAL} to {@link #MAX_INTERVAL}
   */
  public static Schedule every(String name, String reportType, Duration interval) {
    String checkedName = checkName(name);
    String type = ReportRequest.checkReportType(reportType);
    if (interval == null) {
      throw new IllegalArgumentException("interval must not be null");
    }
    if (interval.compareTo(MIN_INTERVAL) < 0 || interval.compareTo(MAX_INTERVAL) > 0) {
      throw new IllegalArgumentException(
          "interval must be between " + MIN_INTERVAL + " and " + MAX_INTERVAL + ": " + interval);
    }
    return new Schedule(
        checkedName, type, Map.of(), null, null, interval, Overlap.SKIP, CatchUp.ONE);
  }

  /**
   * The same schedule whose jobs get {@code values} as parameters, within the limits of {@link
   * ReportRequest}.
   */
  public Schedule withParameters(Map<String, String> values) {
    Map<String, String> checked = ReportRequest.of(reportType, values).parameters();
    return new Schedule(
        name, reportType, checked, cronExpression, zone, interval, overlap, catchUp);
  }

  /** The same schedule with another {@link Overlap} rule. */
  public Schedule onOverlap(Overlap rule) {
    if (rule == null) {
      throw new IllegalArgumentException("overlap must not be null");
    }
    return new Schedule(
        name, reportType, parameters, cronExpression, zone, interval, rule, catchUp);
  }

  /** The same schedule with another {@link CatchUp} rule. */
  public Schedule afterDowntime(CatchUp rule) {
    if (rule == null) {
      throw new IllegalArgumentException("catchUp must not be null");
    }
    return new Schedule(
        name, reportType, parameters, cronExpression, zone, interval, overlap, rule);
  }

  static String checkName(@Nullable String name) {
    if (name == null) {
      throw new IllegalArgumentException("schedule name must not be null");
    }
    if (name.isBlank()) {
      throw new IllegalArgumentException("schedule name must not be blank");
    }
    return StoredText.require("schedule name", name, MAX_NAME_LENGTH);
  }

  public String name() {
    return name;
  }

  public String reportType() {
    return reportType;
  }

  public Map<String, String> parameters() {
    return parameters;
  }

  /** The cron expression, normalized to single spaces; {@code null} for an interval schedule. */
  public @Nullable String cronExpression() {
    return cronExpression;
  }

  /** The zone the cron expression is read in; {@code null} for an interval schedule. */
  public @Nullable ZoneId zone() {
    return zone;
  }

  /** The interval; {@code null} for a cron schedule. */
  public @Nullable Duration interval() {
    return interval;
  }

  public Overlap overlap() {
    return overlap;
  }

  public CatchUp catchUp() {
    return catchUp;
  }

  @Override
  public boolean equals(@Nullable Object other) {
    return other instanceof Schedule that
        && name.equals(that.name)
        && reportType.equals(that.reportType)
        && parameters.equals(that.parameters)
        && Objects.equals(cronExpression, that.cronExpression)
        && Objects.equals(zone, that.zone)
        && Objects.equals(interval, that.interval)
        && overlap == that.overlap
        && catchUp == that.catchUp;
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, reportType, parameters, cronExpression, zone, interval);
  }

  @Override
  public String toString() {
    return "Schedule["
        + name
        + ", "
        + reportType
        + ", "
        + (cronExpression != null
            ? "cron '" + cronExpression + "' in " + zone
            : "every " + interval)
        + ", "
        + overlap
        + ", catch up "
        + catchUp
        + "]";
  }
}

package org.reportorchestrator.internal;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import org.jspecify.annotations.Nullable;

/**
 * When a schedule fires, and its text form in the store ({@code every PT1H}, or {@code cron
 * Europe/Berlin 30 2 * * *}). Immutable and thread-safe.
 */
public abstract sealed class Trigger permits Trigger.Interval, CronTrigger {

  private static final String EVERY = "every ";
  private static final String CRON = "cron ";

  Trigger() {}

  /**
   * The first fire time after {@code now}, for a schedule whose current fire time is {@code fireAt}
   * (at or before {@code now} when it fires, after it when it is first stored).
   */
  abstract Instant nextAfter(Instant fireAt, Instant now);

  /** The text the store keeps. */
  public abstract String spec();

  /**
   * A fixed interval; its fire times stay on the grid of the first one, however late each fires.
   */
  public static Trigger every(Duration interval) {
    return new Interval(interval);
  }

  /**
   * A UNIX cron expression in {@code zone}.
   *
   * @throws IllegalArgumentException if it does not parse, or never fires
   * @throws IllegalStateException if cron-utils is not on the class path
   */
  public static Trigger cron(String expression, ZoneId zone) {
    try {
      Class.forName("com.cronutils.parser.CronParser", false, Trigger.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      throw new IllegalStateException(
          "cron schedules need the cron-utils library (com.cronutils:cron-utils, an optional"
              + " dependency of orchestrator-core) on the class path; add it, or use"
              + " Schedule.every(...)",
          e);
    }
    return new CronTrigger(expression, zone);
  }

  /** The trigger a store's text names. */
  public static Trigger parse(String spec) {
    CronText cron = cronText(spec);
    if (cron != null) {
      return cron(cron.expression(), cron.zone());
    }
    try {
      if (spec.startsWith(EVERY)) {
        return every(Duration.parse(spec.substring(EVERY.length())));
      }
    } catch (DateTimeException e) {
      throw new IllegalArgumentException("not a schedule trigger: '" + spec + "'", e);
    }
    throw new IllegalArgumentException("not a schedule trigger: '" + spec + "'");
  }

  /**
   * The zone and expression of a stored cron trigger's text, read without cron-utils (so a node
   * without it can still list cron schedules); {@code null} if the text is not a cron trigger's.
   */
  static @Nullable CronText cronText(String spec) {
    if (!spec.startsWith(CRON)) {
      return null;
    }
    String rest = spec.substring(CRON.length());
    int space = rest.indexOf(' ');
    try {
      return new CronText(rest.substring(space + 1), ZoneId.of(rest.substring(0, space)));
    } catch (DateTimeException | IndexOutOfBoundsException e) {
      throw new IllegalArgumentException("not a schedule trigger: '" + spec + "'", e);
    }
  }

  /** A cron trigger's text, split. */
  record CronText(String expression, ZoneId zone) {}

  static String cronSpec(String expression, ZoneId zone) {
    return CRON + zone.getId() + " " + expression;
  }

  static final class Interval extends Trigger {
    private final Duration interval;

    Interval(Duration interval) {
      this.interval = interval;
    }

    Duration interval() {
      return interval;
    }

    @Override
    Instant nextAfter(Instant fireAt, Instant now) {
      if (fireAt.isAfter(now)) {
        return fireAt;
      }
      long steps = Duration.between(fireAt, now).toNanos() / interval.toNanos() + 1;
      return fireAt.plus(interval.multipliedBy(steps));
    }

    @Override
    public String spec() {
      return EVERY + interval;
    }
  }
}

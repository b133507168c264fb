package org.reportorchestrator.internal;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Optional;

/**
 * A UNIX cron expression read as wall-clock times in a zone. cron-utils finds the next matching
 * wall-clock time on a line without daylight saving time (UTC), and the zone then turns it into an
 * instant, so that each wall-clock time fires once: a time that spring-forward skips fires as
 * {@link ZonedDateTime#ofLocal} resolves it (shifted forward by the gap: 02:30 fires at 03:30), and
 * a time that fall-back repeats fires at its first occurrence only. cron-utils alone would skip the
 * day of a gap, which no one scheduling a nightly report expects.
 */
final class CronTrigger extends Trigger {

  private static final CronParser PARSER =
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

  /** More than enough matches to get past any gap or repeat of a zone's clock. */
  private static final int MAX_STEPS = 1_000;

  private final String expression;
  private final ZoneId zone;
  private final ExecutionTime executions;

  CronTrigger(String expression, ZoneId zone) {
    Cron cron;
    try {
      cron = PARSER.parse(expression);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "cron expression '"
              + expression
              + "' is not a UNIX cron expression (5 fields: minute hour day-of-month month"
              + " day-of-week): "
              + e.getMessage(),
          e);
    }
    this.expression = expression;
    this.zone = zone;
    this.executions = ExecutionTime.forCron(cron);
    if (nextWallClockTime(LocalDateTime.of(2000, 1, 1, 0, 0)).isEmpty()) {
      throw new IllegalArgumentException("cron expression '" + expression + "' never fires");
    }
  }

  @Override
  Instant nextAfter(Instant fireAt, Instant now) {
    LocalDateTime wallClock = LocalDateTime.ofInstant(now, zone);
    for (int step = 0; step < MAX_STEPS; step++) {
      Optional<LocalDateTime> next = nextWallClockTime(wallClock);
      if (next.isEmpty()) {
        break;
      }
      wallClock = next.get();
      Instant instant = ZonedDateTime.ofLocal(wallClock, zone, null).toInstant();
      if (instant.isAfter(now)) {
        return instant;
      }
    }
    throw new IllegalStateException(
        "cron expression '" + expression + "' in " + zone + " has no fire time after " + now);
  }

  private Optional<LocalDateTime> nextWallClockTime(LocalDateTime after) {
    return executions
        .nextExecution(after.atZone(ZoneOffset.UTC))
        .map(ZonedDateTime::toLocalDateTime);
  }

  @Override
  public String spec() {
    return cronSpec(expression, zone);
  }
}

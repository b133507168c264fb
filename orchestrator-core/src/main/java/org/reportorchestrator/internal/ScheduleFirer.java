package org.reportorchestrator.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.reportorchestrator.JobId;
import org.reportorchestrator.JobState;
import org.reportorchestrator.Schedule;
import org.reportorchestrator.ScheduleSnapshot;
import org.reportorchestrator.StorageException;
import org.reportorchestrator.spi.InsertResult;
import org.reportorchestrator.spi.NewJob;
import org.reportorchestrator.spi.ScheduleFiring;
import org.reportorchestrator.spi.ScheduleRepository;
import org.reportorchestrator.spi.StoredSchedule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fires due schedules: one store query for the due ones, then per schedule one conditional write
 * that moves it to its next fire time together with the job of this fire time. Nodes that race for
 * one fire time all compute the same write; the store lets one through. Thread-safe (its only state
 * is the concurrent map of schedules it has warned about).
 */
final class ScheduleFirer {

  private static final Logger LOG = LoggerFactory.getLogger(ScheduleFirer.class);

  /** The most schedules one look fires; the next look takes the rest. */
  static final int BATCH = 100;

  /** How late a fire time may be noticed and still count as on time under {@code CatchUp.NONE}. */
  static final Duration MISSED_AFTER = Duration.ofMinutes(1);

  private final Settings settings;
  private final ScheduleRepository schedules;
  private final TransitionListeners listeners;
  private final Set<String> acceptedTypes;

  /**
   * The schedules this node could not fire at its last look, with why: each is logged once, not on
   * every poll, until it fires again or its reason changes.
   */
  private final Map<String, String> unfireable = new ConcurrentHashMap<>();

  ScheduleFirer(Settings settings, ScheduleRepository schedules, TransitionListeners listeners) {
    this.settings = settings;
    this.schedules = schedules;
    this.listeners = listeners;
    this.acceptedTypes = Set.copyOf(settings.acceptedTypes());
  }

  /**
   * Fires every due schedule of a report type this node may submit; others are left for the nodes
   * that know their type.
   *
   * @return how many jobs this node made
   */
  int fireDue() {
    Instant now = settings.clock().instant();
    int made = 0;
    // only the types this node may submit: overdue schedules of others must not fill the batch
    for (StoredSchedule due : schedules.dueSchedules(now, acceptedTypes, BATCH)) {
      String missing =
          Engine.missingParameter(
              settings.requiredParametersFor(due.reportType()), due.parameters());
      if (missing != null) {
        // written by a node that does not require it, say; its job would only fail
        warnOnce(
            due.name(),
            Engine.scheduleLacks(due.name(), due.reportType(), missing).getMessage()
                + "; it is not fired until it is stored with the parameter",
            null);
        continue;
      }
      try {
        if (fire(due, now)) {
          made++;
        }
        unfireable.remove(due.name());
      } catch (StorageException e) {
        throw e;
      } catch (RuntimeException e) {
        // one schedule this node cannot fire (a cron one without cron-utils here, say) must not
        // hold back the others; a node that can fires it
        warnOnce(
            due.name(),
            "could not fire schedule '"
                + due.name()
                + "' ("
                + e
                + "); leaving it to a node that can, and not saying so again until it fires",
            e);
      }
    }
    return made;
  }

  private void warnOnce(String schedule, String reason, @Nullable RuntimeException cause) {
    if (reason.equals(unfireable.put(schedule, reason))) {
      LOG.debug("{}", reason);
      return;
    }
    if (cause == null) {
      LOG.warn("{}", reason);
    } else {
      LOG.warn("{}", reason, cause);
    }
  }

  private boolean fire(StoredSchedule schedule, Instant now) {
    Instant fireAt = schedule.nextFireAt();
    Instant next = Trigger.parse(schedule.trigger()).nextAfter(fireAt, now);
    NewJob job = makesJob(schedule, now) ? newJob(schedule, fireAt, now) : null;
    List<JobId> ids = job == null ? List.of() : List.of(job.id());
    listeners.announcing(ids);
    try {
      ScheduleRepository.FireResult result =
          schedules.fire(new ScheduleFiring(schedule.name(), fireAt, next, job, now));
      InsertResult inserted = result.job();
      if (job == null || inserted == null || !inserted.created()) {
        return false;
      }
      listeners.fireSubmitted(job, now, settings.nodeId());
      LOG.debug("schedule {} made job {} for {}", schedule.name(), job.id(), fireAt);
      return true;
    } finally {
      listeners.announced(ids);
    }
  }

  private boolean makesJob(StoredSchedule schedule, Instant now) {
    if (schedule.catchUp() == Schedule.CatchUp.NONE
        && now.isAfter(schedule.nextFireAt().plus(MISSED_AFTER))) {
      return false;
    }
    JobId last = schedule.lastJobId();
    if (schedule.overlap() == Schedule.Overlap.SKIP && last != null) {
      JobState state = settings.repository().states(List.of(last)).get(last);
      return state == null || state.isTerminal();
    }
    return true;
  }

  private NewJob newJob(StoredSchedule schedule, Instant fireAt, Instant now) {
    String type = schedule.reportType();
    return new NewJob(
        JobIds.next(now),
        type,
        schedule.parameters(),
        idempotencyKey(schedule.name(), fireAt),
        0,
        now,
        settings.retryPolicyFor(type).maxAttempts(),
        settings.timeoutFor(type),
        now);
  }

  /** The key of the job a schedule makes for one fire time: the store's second guard. */
  static String idempotencyKey(String scheduleName, Instant fireAt) {
    return "schedule:" + scheduleName + "@" + fireAt;
  }

  /** What the store should hold for {@code schedule} if it were first stored {@code now}. */
  static StoredSchedule proposed(Schedule schedule, Instant now) {
    Trigger trigger = triggerOf(schedule);
    return new StoredSchedule(
        schedule.name(),
        schedule.reportType(),
        schedule.parameters(),
        trigger.spec(),
        schedule.overlap(),
        schedule.catchUp(),
        false,
        trigger.nextAfter(now, now),
        null,
        null,
        now);
  }

  static Trigger triggerOf(Schedule schedule) {
    Duration interval = schedule.interval();
    if (interval != null) {
      return Trigger.every(interval);
    }
    return Trigger.cron(
        Objects.requireNonNull(schedule.cronExpression()), Objects.requireNonNull(schedule.zone()));
  }

  /**
   * The stored schedule as the API shows it, from its stored text alone: a cron expression is not
   * parsed again, so listing needs no cron-utils.
   */
  static ScheduleSnapshot snapshot(StoredSchedule stored) {
    Trigger.CronText cron = Trigger.cronText(stored.trigger());
    Schedule definition;
    if (cron != null) {
      definition =
          ScheduleAccess.storedCron(
              stored.name(), stored.reportType(), cron.expression(), cron.zone());
    } else if (Trigger.parse(stored.trigger()) instanceof Trigger.Interval interval) {
      definition = Schedule.every(stored.name(), stored.reportType(), interval.interval());
    } else {
      throw new IllegalArgumentException("not a schedule trigger: '" + stored.trigger() + "'");
    }
    definition =
        definition
            .withParameters(stored.parameters())
            .onOverlap(stored.overlap())
            .afterDowntime(stored.catchUp());
    return new ScheduleSnapshot(
        definition, stored.paused(), stored.nextFireAt(), stored.lastFireAt(), stored.lastJobId());
  }

  /** The next fire time after {@code now} of a stored schedule, on its own grid. */
  static Instant nextAfter(StoredSchedule stored, Instant now) {
    return Trigger.parse(stored.trigger()).nextAfter(stored.nextFireAt(), now);
  }
}

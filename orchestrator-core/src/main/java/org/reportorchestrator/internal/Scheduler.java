package org.reportorchestrator.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.reportorchestrator.JobState;
import org.reportorchestrator.JobTransition;
import org.reportorchestrator.spi.ClaimRequest;
import org.reportorchestrator.spi.StoredJob;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that finds work: claims due jobs for free worker slots. Polls at the configured
 * interval, and at once when this node submits a job or a worker frees a slot. Maintenance
 * (rescues, purges) runs on a thread of its own, so a slow purge never delays a claim.
 *
 * <p>A report type with a cluster-wide running limit that a claim returned no job of (it is at its
 * limit, or has nothing due) is left out of the claims that follow until a poll interval has passed
 * or this node submits a job, so that a backlog of other types is drained without taking that
 * type's lock on every claim, and a type at its limit never makes the node spin.
 */
final class Scheduler {

  private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  private final Settings settings;
  private final WorkerPool pool;
  private final TransitionListeners listeners;
  private final Semaphore wakeUps = new Semaphore(0);
  private final OutageLog outage;
  private final Thread thread;
  private volatile boolean running = true;

  private volatile boolean backlog = true;

  /** The cluster-wide running limits of this node's types; unlimited types are absent. */
  private final Map<String, Integer> runningLimits;

  /**
   * Limited types that the last claim naming them returned no job of, with the {@link
   * System#nanoTime()} until which claims leave them out. Only the scheduler thread touches it.
   */
  private final Map<String, Long> restingUntil = new HashMap<>();

  /** Set by a submit's wake-up: every resting type is worth a claim again. */
  private volatile boolean restsEnded;

  /** When the loop last began a look for due jobs, by the node's clock; for health(). */
  private volatile @Nullable Instant lastPollAt;

  /** Fires due schedules before a claim; {@code null} on a store without schedules. */
  private final @Nullable ScheduleFirer firer;

  /** The {@link System#nanoTime()} of the last look for due schedules; scheduler thread only. */
  private long lastScheduleLook;

  private boolean lookedForSchedules;

  private final OutageLog scheduleOutage;

  /** How long a claim takes, as a moving average; only the scheduler thread writes it. */
  private volatile long averageClaimNanos;

  Scheduler(
      Settings settings,
      WorkerPool pool,
      TransitionListeners listeners,
      StoreHealth health,
      @Nullable ScheduleFirer firer,
      ThreadFactory threads) {
    this.settings = settings;
    this.firer = firer;
    this.scheduleOutage = new OutageLog(LOG, "firing due schedules", health);
    this.outage = new OutageLog(LOG, "polling the job store", health);
    this.pool = pool;
    this.listeners = listeners;
    this.thread = threads.newThread(this::loop);
    this.runningLimits = settings.runningLimits();
  }

  void start() {
    thread.start();
  }

  void wakeUp() {
    restsEnded = true;
    wakeUps.release();
  }

  /**
   * A worker is free again: worth a claim only if the last poll left due jobs behind for want of
   * room, and only once the pool would claim. Otherwise the store had no more, and only a submit or
   * the next poll can change that; or the pool waits for more room, which the next freed slot
   * makes. Waking the scheduler for nothing cost a context switch per job, at the moment when
   * threads whose jobs end together all want the CPU.
   */
  void slotFreed() {
    if (backlog && pool.jobsToClaim(averageClaimNanos) > 0) {
      wakeUps.release();
    }
  }

  /**
   * Stops claiming. Waits at most {@code timeout} for a claim under way; one that returns later
   * gives its jobs back instead of running them.
   */
  void stop(Duration timeout) throws InterruptedException {
    running = false;
    wakeUp();
    thread.join(Math.max(1, timeout.toMillis()));
  }

  /** Whether the scheduler thread runs. */
  boolean isAlive() {
    return thread.isAlive();
  }

  /** When the scheduler last began a look for due jobs; {@code null} before the first. */
  @Nullable Instant lastPollAt() {
    return lastPollAt;
  }

  private void loop() {
    while (running) {
      Duration pause;
      try {
        lastPollAt = settings.clock().instant();
        // The claim first: a submit that woke this thread should not wait for a look at the
        // schedules. Jobs that the look makes are claimed at once, on the next turn. The look
        // runs even when the claim failed: it handles its own failures.
        boolean mayHaveMore;
        int fired;
        try {
          mayHaveMore = pollOnce();
        } finally {
          fired = fireDueSchedules();
        }
        outage.succeeded();
        mayHaveMore |= fired > 0;
        pause = mayHaveMore ? Duration.ZERO : settings.pollInterval();
      } catch (RuntimeException e) {
        int failures = outage.failed(e);
        pause = backoff(failures);
      } catch (Error e) {
        LOG.error("scheduler hit an error; going on after a pause", e);
        pause = MAX_BACKOFF;
      }
      if (!pause.isZero()) {
        try {
          wakeUps.tryAcquire(pause.toMillis(), TimeUnit.MILLISECONDS);
          wakeUps.drainPermits();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /**
   * Looks for due schedules at most once per poll interval, however fast a backlog makes the loop
   * claim: one indexed query, and a write only for a schedule that is due. A failure is logged and
   * the claims go on; the next look tries again.
   *
   * @return how many jobs the due schedules made
   */
  private int fireDueSchedules() {
    ScheduleFirer schedules = firer;
    long now = System.nanoTime();
    if (schedules == null
        || (lookedForSchedules && now - lastScheduleLook < settings.pollInterval().toNanos())) {
      return 0;
    }
    lookedForSchedules = true;
    lastScheduleLook = now;
    try {
      int fired = schedules.fireDue();
      scheduleOutage.succeeded();
      return fired;
    } catch (RuntimeException e) {
      scheduleOutage.failed(e);
      return 0;
    }
  }

  /**
   * @return whether a full batch was claimed, so more due jobs may be waiting
   */
  private boolean pollOnce() {
    // Before the pool is asked: a worker that frees a slot between its answer and this write would
    // otherwise see no backlog, wake nobody, and leave a due job for the next poll.
    backlog = true;
    if (!running) {
      return false;
    }
    long startNanos = System.nanoTime();
    Set<String> types = claimableTypes(startNanos);
    if (types.isEmpty()) {
      // every type is limited and resting: the next poll looks again
      backlog = false;
      return false;
    }
    // The room is held from before the claim until its jobs reach the pool, so that a submit on
    // this node cannot reserve a worker this claim counted as free and claim one job too many.
    int room = pool.holdForClaim(averageClaimNanos);
    if (room <= 0) {
      return false;
    }
    List<StoredJob> claimed = List.of();
    int wanted = roundedDown(room);
    try {
      // The lease runs from this instant, read just before the claim, never from an older one.
      claimed = claim(settings.clock().instant(), wanted, types);
    } finally {
      pool.giveBack(room - claimed.size());
    }
    long tookNanos = System.nanoTime() - startNanos;
    restLimitedTypesWithoutJobs(types, claimed, startNanos);
    averageClaimNanos =
        averageClaimNanos == 0
            ? tookNanos
            : averageClaimNanos + (tookNanos - averageClaimNanos) / 8;
    for (StoredJob job : claimed) {
      if (running) {
        pool.runClaimed(job);
      } else {
        pool.releaseClaimed(job);
      }
    }
    backlog = claimed.size() == wanted;
    return backlog;
  }

  /**
   * {@code room} rounded down to 1, 2, 3, 4, 6, 8, 12, 16, 24, ...: a store may write the limit
   * into its statement (PostgreSQL plans a bound limit badly), and a handful of distinct statements
   * keep its caches warm, while a claim still takes at least two thirds of the room.
   */
  static int roundedDown(int room) {
    int power = Integer.highestOneBit(room);
    int between = power + power / 2;
    return power >= 2 && room >= between ? between : power;
  }

  /** This node's types but the resting ones. */
  private Set<String> claimableTypes(long nowNanos) {
    if (restsEnded) {
      restsEnded = false;
      restingUntil.clear();
    }
    restingUntil.values().removeIf(until -> nowNanos - until >= 0);
    if (restingUntil.isEmpty()) {
      return settings.tasks().keySet();
    }
    Set<String> types = new HashSet<>(settings.tasks().keySet());
    types.removeAll(restingUntil.keySet());
    return types;
  }

  /**
   * Leaves the limited types the claim returned no job of out of the claims of the next poll
   * interval: each is at its limit or has nothing due, and only a finished job or a submit changes
   * that. The normal poll finds them again.
   */
  private void restLimitedTypesWithoutJobs(
      Set<String> types, List<StoredJob> claimed, long claimNanos) {
    if (runningLimits.isEmpty()) {
      return;
    }
    Set<String> got = new HashSet<>();
    for (StoredJob job : claimed) {
      got.add(job.reportType());
    }
    long until = claimNanos + settings.pollInterval().toNanos();
    for (String type : runningLimits.keySet()) {
      if (types.contains(type) && !got.contains(type)) {
        restingUntil.put(type, until);
      }
    }
  }

  /** Claims up to {@code limit} due jobs of every type this node runs; the caller runs them. */
  List<StoredJob> claim(Instant now, int limit) {
    return claim(now, limit, settings.tasks().keySet());
  }

  /** Claims up to {@code limit} due jobs of {@code types} and tells the listeners. */
  private List<StoredJob> claim(Instant now, int limit, Set<String> types) {
    List<StoredJob> claimed =
        settings
            .repository()
            .claim(
                new ClaimRequest(
                    settings.nodeId(),
                    types,
                    limit,
                    now,
                    now.plus(settings.leaseDuration()),
                    runningLimits));
    for (StoredJob job : claimed) {
      announceClaimed(job, now);
    }
    return claimed;
  }

  /** Tells the listeners that this node claimed {@code job} at {@code now}. */
  void announceClaimed(StoredJob job, Instant now) {
    listeners.fireClaimed(
        new JobTransition(
            job.id(),
            job.reportType(),
            JobState.REQUESTED,
            JobState.RUNNING,
            now,
            job.attempt(),
            settings.nodeId(),
            null));
  }

  private Duration backoff(int failures) {
    long factor = 1L << Math.min(failures - 1, 10);
    Duration wait = settings.pollInterval().multipliedBy(factor);
    return wait.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : wait;
  }
}

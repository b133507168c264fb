package org.reportorchestrator.inmemory;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.reportorchestrator.JobCursor;
import org.reportorchestrator.JobHistoryEntry;
import org.reportorchestrator.JobId;
import org.reportorchestrator.JobQuery;
import org.reportorchestrator.JobState;
import org.reportorchestrator.Progress;
import org.reportorchestrator.ReportResult;
import org.reportorchestrator.StorageException;
import org.reportorchestrator.spi.ClaimRequest;
import org.reportorchestrator.spi.HeartbeatResult;
import org.reportorchestrator.spi.InsertResult;
import org.reportorchestrator.spi.JobRepository;
import org.reportorchestrator.spi.JobStatistics;
import org.reportorchestrator.spi.Lease;
import org.reportorchestrator.spi.LeaseExtension;
import org.reportorchestrator.spi.NewJob;
import org.reportorchestrator.spi.ProgressUpdate;
import org.reportorchestrator.spi.ScheduleFiring;
import org.reportorchestrator.spi.ScheduleRepository;
import org.reportorchestrator.spi.StoredJob;
import org.reportorchestrator.spi.StoredSchedule;
import org.reportorchestrator.spi.Transition;
import org.reportorchestrator.spi.TypeStatistics;

/**
 * A {@link JobRepository} (and {@link ScheduleRepository}) that keeps every job, every result's
 * bytes and every schedule on the heap. Thread-safe: one lock guards all state, so each call is
 * atomic against every other.
 *
 * <p>It is <b>not durable</b>: everything is lost when the JVM stops, and it cannot be shared
 * between processes, so it suits tests, demos and single-process experiments, not production. It
 * keeps the semantics of the database stores (leases, fencing tokens, idempotency keys, claim
 * order, results as bytes), and passes the same {@code JobRepositoryContract}.
 *
 * <p>Claiming {@code k} jobs of {@code t} report types costs {@code O((t k + d) log n)}, where
 * {@code d} jobs fell due since the previous claim: queued jobs wait in an index by due time and
 * move, once due, to an index per report type in claim order.
 */
public final class InMemoryJobRepository implements JobRepository, ScheduleRepository {

  private static final NavigableSet<JobRow> EMPTY =
      Collections.unmodifiableNavigableSet(new TreeSet<>(JobRow.CLAIM_ORDER));

  private final ReentrantLock lock = new ReentrantLock();

  private final Map<JobId, JobRow> jobs = new HashMap<>();
  private final Map<String, JobId> idempotencyKeys = new HashMap<>();

  // Indexes over jobs. Every row sits in byCreation, and in exactly one of the others according to
  // its state; a row leaves its index before a field that index sorts by changes (see reindex).
  private final NavigableMap<JobCursor, JobRow> byCreation = new TreeMap<>();

  /** REQUESTED, not known to be due yet. */
  private final NavigableSet<JobRow> scheduled = new TreeSet<>(JobRow.RUN_AT_ORDER);

  /** REQUESTED and due at the time of some earlier claim, by report type, in claim order. */
  private final Map<String, NavigableSet<JobRow>> dueByType = new HashMap<>();

  /** RUNNING. */
  private final NavigableSet<JobRow> leased = new TreeSet<>(JobRow.LEASE_ORDER);

  /** COMPLETED, FAILED or CANCELLED. */
  private final NavigableSet<JobRow> finished = new TreeSet<>(JobRow.FINISHED_ORDER);

  /** Schedules by name; guarded by the one lock like the jobs, so a firing is atomic. */
  private final NavigableMap<String, StoredSchedule> schedules = new TreeMap<>();

  /** Creates an empty store. */
  public InMemoryJobRepository() {}

  @Override
  public List<InsertResult> insert(List<NewJob> newJobs) {
    Objects.requireNonNull(newJobs, "jobs");
    return locked(
        () -> {
          List<InsertResult> results = new ArrayList<>(newJobs.size());
          List<JobRow> created = new ArrayList<>();
          Map<String, JobId> keysOfBatch = new HashMap<>();
          Set<JobId> idsOfBatch = new HashSet<>();
          for (NewJob job : newJobs) {
            String key = job.idempotencyKey();
            JobId holder =
                key == null ? null : idempotencyKeys.getOrDefault(key, keysOfBatch.get(key));
            if (holder != null) {
              results.add(new InsertResult(holder, false));
              continue;
            }
            if (jobs.containsKey(job.id()) || !idsOfBatch.add(job.id())) {
              // nothing has changed yet: the batch is stored whole or not at all
              throw new StorageException("a job with id " + job.id() + " is already stored");
            }
            if (key != null) {
              keysOfBatch.put(key, job.id());
            }
            created.add(new JobRow(job));
            results.add(new InsertResult(job.id(), true));
          }
          for (JobRow row : created) {
            jobs.put(row.id, row);
            byCreation.put(row.cursor(), row);
            scheduled.add(row);
          }
          idempotencyKeys.putAll(keysOfBatch);
          return results;
        });
  }

  @Override
  public List<StoredJob> claim(ClaimRequest request) {
    Objects.requireNonNull(request, "request");
    Instant now = request.now();
    return locked(
        () -> {
          promoteDue(now);
          // the first jobs of each type, merged: the first 'limit' of all are among them; a
          // limited type offers no more than its room below its limit
          Map<String, Integer> room = runningRoom(request);
          List<JobRow> candidates = new ArrayList<>();
          for (String type : request.reportTypes()) {
            NavigableSet<JobRow> due = dueByType.getOrDefault(type, EMPTY);
            int most = Math.min(request.limit(), room.getOrDefault(type, request.limit()));
            int taken = 0;
            for (JobRow row : due) {
              if (taken >= most) {
                break;
              }
              // a job can be in due yet not due at this now only if callers' clocks disagree
              if (!row.runAt.isAfter(now)) {
                candidates.add(row);
                taken++;
              }
            }
          }
          candidates.sort(JobRow.CLAIM_ORDER);
          List<JobRow> picked = candidates.subList(0, Math.min(request.limit(), candidates.size()));
          List<StoredJob> claimed = new ArrayList<>(picked.size());
          for (JobRow row : picked) {
            claimed.add(claimRow(row, request));
          }
          return claimed;
        });
  }

  @Override
  public Optional<StoredJob> insertAndClaim(NewJob job, ClaimRequest request) {
    Objects.requireNonNull(job, "job");
    Objects.requireNonNull(request, "request");
    return locked(
        () -> {
          promoteDue(request.now());
          boolean dueAhead = dueAhead(job.priority(), request);
          InsertResult inserted = insert(List.of(job)).get(0);
          if (dueAhead || !inserted.created()) {
            return Optional.empty();
          }
          return Optional.of(claimRow(Objects.requireNonNull(jobs.get(job.id())), request));
        });
  }

  /**
   * Whether a job of the request's types is due with at least {@code priority}: each type's due set
   * is in claim order, so the look ends at its first job below that priority.
   */
  private boolean dueAhead(int priority, ClaimRequest request) {
    for (String type : request.reportTypes()) {
      for (JobRow row : dueByType.getOrDefault(type, EMPTY)) {
        if (row.priority < priority) {
          break;
        }
        if (!row.runAt.isAfter(request.now())) {
          return true;
        }
      }
    }
    return false;
  }

  /** Moves the queued jobs due at {@code now} into the due sets that claims read. */
  private void promoteDue(Instant now) {
    while (!scheduled.isEmpty() && !scheduled.first().runAt.isAfter(now)) {
      JobRow row = scheduled.pollFirst();
      dueByType.computeIfAbsent(row.reportType, type -> new TreeSet<>(JobRow.CLAIM_ORDER)).add(row);
    }
  }

  private StoredJob claimRow(JobRow row, ClaimRequest request) {
    Instant now = request.now();
    reindex(
        row,
        () -> {
          row.state = JobState.RUNNING;
          row.attempt++;
          row.ownerNode = request.nodeId();
          row.startedAt = now;
          row.updatedAt = now;
          row.leaseExpiresAt = request.leaseExpiresAt();
          row.fencingToken++;
          row.progress = Progress.NONE;
        });
    row.recordTransition(JobState.REQUESTED, now, request.nodeId(), null);
    return row.snapshot();
  }

  /**
   * For each requested type with a running limit, how many more of its jobs may run: the limit less
   * the running jobs of the type, at least 0. Reads the running rows once, under the lock.
   */
  private Map<String, Integer> runningRoom(ClaimRequest request) {
    if (!request.hasRunningLimits()) {
      return Map.of();
    }
    Map<String, Integer> room = new HashMap<>();
    request
        .runningLimits()
        .forEach(
            (type, max) -> {
              if (request.reportTypes().contains(type)) {
                room.put(type, max);
              }
            });
    for (JobRow row : leased) {
      room.computeIfPresent(row.reportType, (type, left) -> Math.max(0, left - 1));
    }
    return room;
  }

  @Override
  public List<Boolean> apply(List<Transition> transitions) {
    Objects.requireNonNull(transitions, "transitions");
    return locked(
        () -> {
          List<Boolean> applied = new ArrayList<>(transitions.size());
          for (Transition transition : transitions) {
            JobRow row = runningUnder(transition.lease());
            Instant expiredBefore = transition.leaseExpiredBefore();
            if (row != null
                && (expiredBefore == null
                    || (row.leaseExpiresAt != null
                        && row.leaseExpiresAt.isBefore(expiredBefore)))) {
              String node = row.ownerNode;
              reindex(row, () -> applyTo(row, transition));
              row.recordTransition(JobState.RUNNING, transition.at(), node, transition.error());
              applied.add(true);
            } else {
              applied.add(false);
            }
          }
          return List.copyOf(applied);
        });
  }

  private static void applyTo(JobRow row, Transition transition) {
    Instant at = transition.at();
    row.state = transition.to();
    row.updatedAt = at;
    row.ownerNode = null;
    row.leaseExpiresAt = null;
    if (transition.to().isTerminal()) {
      row.cancellationRequested = false;
    }
    if (transition.error() != null) {
      row.lastError = transition.error();
    }
    if (transition instanceof Transition.Completed completed) {
      ReportResult result = completed.result();
      row.finishedAt = at;
      row.result = result.info();
      row.content = result.bytes();
      row.progress = new Progress(100, row.progress.message());
    } else if (transition instanceof Transition.Retried retried) {
      row.runAt = retried.nextRunAt();
    } else if (transition instanceof Transition.Released) {
      row.runAt = at;
      row.attempt = Math.max(0, row.attempt - 1);
    } else {
      row.finishedAt = at;
    }
  }

  @Override
  public HeartbeatResult extendLeases(LeaseExtension extension) {
    Objects.requireNonNull(extension, "extension");
    return locked(
        () -> {
          Set<JobId> lost = new HashSet<>();
          Set<JobId> cancellationRequested = new HashSet<>();
          for (Lease lease : extension.leases()) {
            JobRow row = runningUnder(lease);
            if (row == null) {
              lost.add(lease.jobId());
              continue;
            }
            reindex(row, () -> row.leaseExpiresAt = extension.expiresAt());
            if (row.cancellationRequested) {
              cancellationRequested.add(row.id);
            }
          }
          return new HeartbeatResult(lost, cancellationRequested);
        });
  }

  @Override
  public boolean updateProgress(ProgressUpdate update) {
    Objects.requireNonNull(update, "update");
    return locked(
        () -> {
          JobRow row = runningUnder(update.lease());
          if (row == null) {
            return false;
          }
          row.progress = update.progress();
          row.updatedAt = update.now();
          return true;
        });
  }

  @Override
  public boolean cancelQueued(JobId id, Instant now) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(now, "now");
    return locked(
        () -> {
          JobRow row = jobs.get(id);
          if (row == null || row.state != JobState.REQUESTED) {
            return false;
          }
          reindex(
              row,
              () -> {
                row.state = JobState.CANCELLED;
                row.finishedAt = now;
                row.updatedAt = now;
              });
          row.recordTransition(JobState.REQUESTED, now, null, null);
          return true;
        });
  }

  @Override
  public boolean requeue(JobId id, Instant now) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(now, "now");
    return locked(
        () -> {
          JobRow row = jobs.get(id);
          if (row == null || !row.state.isRetriable()) {
            return false;
          }
          JobState from = row.state;
          reindex(
              row,
              () -> {
                row.state = JobState.REQUESTED;
                row.attempt = 0;
                row.runAt = now;
                row.finishedAt = null;
                row.updatedAt = now;
                row.progress = Progress.NONE;
                row.cancellationRequested = false;
              });
          row.recordTransition(from, now, null, null);
          return true;
        });
  }

  @Override
  public Optional<List<JobHistoryEntry>> history(JobId id) {
    Objects.requireNonNull(id, "id");
    return locked(() -> Optional.ofNullable(jobs.get(id)).map(row -> List.copyOf(row.history)));
  }

  @Override
  public boolean requestCancellation(JobId id, Instant now) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(now, "now");
    return locked(
        () -> {
          JobRow row = jobs.get(id);
          if (row == null || row.state != JobState.RUNNING) {
            return false;
          }
          row.cancellationRequested = true;
          row.updatedAt = now;
          return true;
        });
  }

  @Override
  public List<StoredJob> findExpiredLeases(Instant now, int limit) {
    Objects.requireNonNull(now, "now");
    requirePositive(limit);
    return locked(
        () -> {
          List<StoredJob> expired = new ArrayList<>();
          for (JobRow row : leased) {
            if (expired.size() == limit || !JobRow.leaseExpiresAtOf(row).isBefore(now)) {
              break;
            }
            expired.add(row.snapshot());
          }
          return expired;
        });
  }

  @Override
  public Optional<StoredJob> find(JobId id) {
    Objects.requireNonNull(id, "id");
    return locked(() -> Optional.ofNullable(jobs.get(id)).map(JobRow::snapshot));
  }

  /** Looks each id up under the lock: {@code O(ids)}, with no copy of a row. */
  @Override
  public Map<JobId, JobState> states(Collection<JobId> ids) {
    Objects.requireNonNull(ids, "ids");
    if (ids.isEmpty()) {
      return Map.of();
    }
    return locked(
        () -> {
          Map<JobId, JobState> states = new HashMap<>();
          for (JobId id : ids) {
            JobRow row = jobs.get(Objects.requireNonNull(id, "ids must not contain null"));
            if (row != null) {
              states.put(id, row.state);
            }
          }
          return Collections.unmodifiableMap(states);
        });
  }

  @Override
  public List<StoredJob> query(JobQuery query) {
    Objects.requireNonNull(query, "query");
    JobCursor after = query.after();
    return locked(
        () ->
            listed(query.order() == JobQuery.Order.NEWEST_FIRST, after).values().stream()
                .filter(row -> query.matches(row.state, row.reportType))
                .limit(query.limit())
                .map(JobRow::snapshot)
                .toList());
  }

  /** The rows listed after {@code after} (all with none), in listing order. */
  private NavigableMap<JobCursor, JobRow> listed(boolean newestFirst, @Nullable JobCursor after) {
    if (newestFirst) {
      return (after == null ? byCreation : byCreation.headMap(after, false)).descendingMap();
    }
    return after == null ? byCreation : byCreation.tailMap(after, false);
  }

  @Override
  public Optional<InputStream> openResult(JobId id) {
    Objects.requireNonNull(id, "id");
    return locked(
        () -> {
          JobRow row = jobs.get(id);
          if (row == null || row.state != JobState.COMPLETED || row.content == null) {
            return Optional.empty();
          }
          // the array is never written after it was stored, so the stream may share it
          return Optional.of(new ByteArrayInputStream(row.content));
        });
  }

  @Override
  public int purgeFinished(Instant finishedBefore, int limit) {
    Objects.requireNonNull(finishedBefore, "finishedBefore");
    requirePositive(limit);
    return locked(
        () -> {
          List<JobRow> purged = new ArrayList<>();
          for (JobRow row : finished) {
            if (purged.size() == limit || !JobRow.finishedAtOf(row).isBefore(finishedBefore)) {
              break;
            }
            purged.add(row);
          }
          for (JobRow row : purged) {
            finished.remove(row);
            byCreation.remove(row.cursor());
            jobs.remove(row.id);
            if (row.idempotencyKey != null) {
              idempotencyKeys.remove(row.idempotencyKey, row.id);
            }
          }
          return purged.size();
        });
  }

  /** Walks every job once under the lock: {@code O(n)}, cheap next to what a database does. */
  @Override
  public JobStatistics statistics(Instant now) {
    Objects.requireNonNull(now, "now");
    return locked(
        () -> {
          Map<String, Tally> tallies = new HashMap<>();
          for (JobRow row : jobs.values()) {
            Tally tally = tallies.computeIfAbsent(row.reportType, type -> new Tally());
            tally.counts.merge(row.state, 1L, Long::sum);
            if (row.state == JobState.REQUESTED && !row.runAt.isAfter(now)) {
              tally.due++;
              if (tally.oldestDue == null || row.runAt.isBefore(tally.oldestDue)) {
                tally.oldestDue = row.runAt;
              }
            }
          }
          Map<String, TypeStatistics> byType = new HashMap<>();
          tallies.forEach(
              (type, tally) ->
                  byType.put(type, new TypeStatistics(tally.counts, tally.due, tally.oldestDue)));
          return new JobStatistics(byType);
        });
  }

  /** One report type's figures while {@link #statistics} counts them. */
  private static final class Tally {
    final Map<JobState, Long> counts = new EnumMap<>(JobState.class);
    long due;
    @Nullable Instant oldestDue;
  }

  /** The row of a job still {@code RUNNING} under {@code lease}, or {@code null}. */
  private @Nullable JobRow runningUnder(Lease lease) {
    JobRow row = jobs.get(lease.jobId());
    return row != null && row.state == JobState.RUNNING && row.fencingToken == lease.fencingToken()
        ? row
        : null;
  }

  /** Takes {@code row} out of its state's index, changes it, and files it again. */
  private void reindex(JobRow row, Runnable change) {
    switch (row.state) {
      case REQUESTED -> {
        if (!scheduled.remove(row)) {
          NavigableSet<JobRow> due = dueByType.get(row.reportType);
          if (due != null && due.remove(row) && due.isEmpty()) {
            dueByType.remove(row.reportType);
          }
        }
      }
      case RUNNING -> leased.remove(row);
      case COMPLETED, FAILED, CANCELLED -> finished.remove(row);
    }
    change.run();
    switch (row.state) {
      case REQUESTED -> scheduled.add(row);
      case RUNNING -> leased.add(row);
      case COMPLETED, FAILED, CANCELLED -> finished.add(row);
    }
  }

  @Override
  public StoredSchedule upsertSchedule(StoredSchedule proposed) {
    Objects.requireNonNull(proposed, "proposed");
    return locked(
        () -> {
          StoredSchedule stored = schedules.get(proposed.name());
          if (stored == null) {
            schedules.put(proposed.name(), proposed);
            return proposed;
          }
          if (stored.sameDefinition(proposed)) {
            return stored;
          }
          StoredSchedule replaced =
              new StoredSchedule(
                  proposed.name(),
                  proposed.reportType(),
                  proposed.parameters(),
                  proposed.trigger(),
                  proposed.overlap(),
                  proposed.catchUp(),
                  stored.paused(),
                  proposed.nextFireAt(),
                  stored.lastFireAt(),
                  stored.lastJobId(),
                  proposed.updatedAt());
          schedules.put(proposed.name(), replaced);
          return replaced;
        });
  }

  @Override
  public List<StoredSchedule> schedules() {
    return locked(() -> List.copyOf(schedules.values()));
  }

  @Override
  public Optional<StoredSchedule> findSchedule(String name) {
    Objects.requireNonNull(name, "name");
    return locked(() -> Optional.ofNullable(schedules.get(name)));
  }

  /** Walks every schedule: {@code O(schedules)}, few next to jobs. */
  @Override
  public List<StoredSchedule> dueSchedules(Instant now, Set<String> reportTypes, int limit) {
    Objects.requireNonNull(now, "now");
    Set<String> types = Set.copyOf(reportTypes);
    requirePositive(limit);
    return locked(
        () ->
            schedules.values().stream()
                .filter(schedule -> !schedule.paused() && !schedule.nextFireAt().isAfter(now))
                .filter(schedule -> types.contains(schedule.reportType()))
                .sorted(
                    Comparator.comparing(StoredSchedule::nextFireAt)
                        .thenComparing(StoredSchedule::name))
                .limit(limit)
                .toList());
  }

  @Override
  public FireResult fire(ScheduleFiring firing) {
    Objects.requireNonNull(firing, "firing");
    return locked(
        () -> {
          StoredSchedule stored = schedules.get(firing.name());
          if (stored == null || stored.paused() || !stored.nextFireAt().equals(firing.fireAt())) {
            return FireResult.lost();
          }
          NewJob job = firing.job();
          InsertResult inserted = job == null ? null : insert(List.of(job)).get(0);
          schedules.put(
              stored.name(),
              new StoredSchedule(
                  stored.name(),
                  stored.reportType(),
                  stored.parameters(),
                  stored.trigger(),
                  stored.overlap(),
                  stored.catchUp(),
                  false,
                  firing.nextFireAt(),
                  inserted == null ? stored.lastFireAt() : firing.fireAt(),
                  inserted == null ? stored.lastJobId() : inserted.id(),
                  firing.now()));
          return new FireResult(true, inserted);
        });
  }

  @Override
  public boolean pauseSchedule(String name, Instant now) {
    return setPaused(name, true, null, now);
  }

  @Override
  public boolean resumeSchedule(String name, Instant nextFireAt, Instant now) {
    Objects.requireNonNull(nextFireAt, "nextFireAt");
    return setPaused(name, false, nextFireAt, now);
  }

  private boolean setPaused(
      String name, boolean paused, @Nullable Instant nextFireAt, Instant now) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(now, "now");
    return locked(
        () -> {
          StoredSchedule stored = schedules.get(name);
          if (stored == null) {
            return false;
          }
          schedules.put(
              name,
              new StoredSchedule(
                  stored.name(),
                  stored.reportType(),
                  stored.parameters(),
                  stored.trigger(),
                  stored.overlap(),
                  stored.catchUp(),
                  paused,
                  nextFireAt == null ? stored.nextFireAt() : nextFireAt,
                  stored.lastFireAt(),
                  stored.lastJobId(),
                  now));
          return true;
        });
  }

  @Override
  public boolean removeSchedule(String name) {
    Objects.requireNonNull(name, "name");
    return locked(() -> schedules.remove(name) != null);
  }

  private <T> T locked(Supplier<T> action) {
    lock.lock();
    try {
      return action.get();
    } finally {
      lock.unlock();
    }
  }

  private static void requirePositive(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1: " + limit);
    }
  }
}

package org.reportorchestrator.spi;

import java.io.InputStream;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.reportorchestrator.JobHistoryEntry;
import org.reportorchestrator.JobId;
import org.reportorchestrator.JobQuery;
import org.reportorchestrator.JobState;

/**
 * Persists jobs and their lifecycle. Implementations must be thread-safe, and every conditional
 * write must be atomic against other nodes using the same store: two callers can never both win one
 * transition. A store throws {@link org.reportorchestrator.StorageException} (with the cause) when
 * it cannot do what was asked; a condition that does not hold is not an error but a result.
 *
 * <p>Every write that changes a job's state also appends one {@link JobHistoryEntry} to the job's
 * history, in the same atomic unit: a transition that is not applied leaves no entry, and one that
 * is applied always has its entry. Each method says what its entries hold.
 */
public interface JobRepository {

  /**
   * The most ids core passes to one {@link #states} call; it splits a larger set of waited-for jobs
   * into calls of at most this many, so that a store can answer each call with one statement.
   */
  int MAX_IDS_PER_STATES_CALL = 1_000;

  /**
   * Inserts jobs in one unit: either every new job is stored or none is. A job whose idempotency
   * key is already stored (or appears earlier in the same list) is not inserted; its result names
   * the job that holds the key.
   *
   * <p>History: each stored job starts with {@code (null -> REQUESTED, createdAt, attempt 0, no
   * node)}.
   *
   * @return one result per job, in the order given
   */
  List<InsertResult> insert(List<NewJob> jobs);

  /**
   * Stores {@code job} and, in the same atomic write, claims it as {@link #claim} would for {@code
   * request}'s node, unless a job of one of {@code request}'s report types is due at {@code
   * request.now()} with at least {@code job}'s priority: a claim would hand that one out first, so
   * {@code job} is then stored queued, as {@link #insert} stores it. Core calls this for a node's
   * own lone submit while one of its workers is idle and reserved for the job, so that the job
   * starts after one write instead of an insert and a claim; only for a job without an idempotency
   * key, due at {@code request.now()}, of a type in {@code request.reportTypes()} without a running
   * limit, with {@code request.limit()} 1.
   *
   * <p>The look for a due job ahead must cost a few index probes, not a read of the queue: it runs
   * on every such submit, also behind a million queued jobs.
   *
   * <p>Optional: the default stores the job queued and claims nothing; the node's scheduler then
   * claims it as any other.
   *
   * <p>History: the insert's entry, then, if claimed, the claim's.
   *
   * @return the claimed job, or empty if it was stored queued
   */
  default Optional<StoredJob> insertAndClaim(NewJob job, ClaimRequest request) {
    insert(List.of(job));
    return Optional.empty();
  }

  /**
   * Claims due jobs atomically as {@link ClaimRequest} describes; fewer or none if few are due.
   *
   * <p>History: {@code (REQUESTED -> RUNNING, now, the new attempt, the claiming node)} per job.
   */
  List<StoredJob> claim(ClaimRequest request);

  /**
   * The largest result content this store accepts, in bytes. Core fails a job whose result is
   * larger (with {@link org.reportorchestrator.ResultTooLargeException}) instead of asking the
   * store to complete it.
   */
  default long maxResultBytes() {
    return Long.MAX_VALUE;
  }

  /**
   * Applies fenced transitions out of {@code RUNNING}, in the order given, all in one unit; a store
   * may group them into few statements. A transition whose condition fails (the job moved on, or
   * another claim holds it) changes nothing, and neither does a later transition of a job that an
   * earlier one in the list already moved.
   *
   * <p>If this throws, the store must not have applied any of them, except when the failure hid the
   * outcome of a commit that did go through (a connection lost during {@code COMMIT}): core settles
   * that case by reading the jobs back with {@link #find}. Throw {@link
   * org.reportorchestrator.DataRejectedException} when the data itself cannot be stored (a value
   * too long for its column, say), so that core fails the job instead of retrying the write.
   *
   * <p>History: {@code (RUNNING -> to, at, attempt after it, the node that held the lease, the
   * error's type and shortened message if the transition has one)} per applied transition.
   *
   * @return one entry per transition, in the order given: {@code true} where it was applied
   */
  List<Boolean> apply(List<Transition> transitions);

  /** Extends leases as {@link LeaseExtension} describes. */
  HeartbeatResult extendLeases(LeaseExtension extension);

  /** Writes progress; {@code false} if the job is no longer running under that lease. */
  boolean updateProgress(ProgressUpdate update);

  /**
   * Moves a job from {@code REQUESTED} to {@code CANCELLED} ({@code finishedAt = updatedAt = now})
   * if it is still {@code REQUESTED}.
   *
   * <p>History: {@code (REQUESTED -> CANCELLED, now, attempt, no node)}.
   *
   * @return {@code true} if this call cancelled it
   */
  boolean cancelQueued(JobId id, Instant now);

  /**
   * An operator's retry: moves a job from {@code FAILED} or {@code CANCELLED} back to {@code
   * REQUESTED} if it is still in one of them, due at {@code now}, with {@code attempt = 0}, {@code
   * finishedAt} cleared, progress cleared and {@code updatedAt = now}. Its last error stays.
   *
   * <p>History: {@code (FAILED or CANCELLED -> REQUESTED, now, attempt 0, no node)}.
   *
   * @return {@code true} if this call moved it
   */
  boolean requeue(JobId id, Instant now);

  /**
   * Flags a {@code RUNNING} job for cancellation, for its owner to see at the next heartbeat.
   *
   * @return {@code true} if the job was {@code RUNNING} and is now flagged
   */
  boolean requestCancellation(JobId id, Instant now);

  /**
   * Opens a feed of what happens on this store ({@link JobEvent}), so that a started node claims a
   * job submitted elsewhere, and passes on a cancellation requested elsewhere, at once instead of
   * at its next poll or heartbeat. Optional: the default has no feed, and nodes then learn of both
   * by polling, as they always do anyway; an event only makes them look sooner.
   *
   * <p>Core opens one feed per started node, on a thread of its own, and opens another after the
   * one it has broke. Right after each open it polls and renews leases once, because events sent
   * while no feed was open are not delivered. A store that has events must therefore send, at
   * least, a {@link JobEvent.Submitted} once a stored or requeued job can be claimed, and a {@link
   * JobEvent.CancellationRequested} once {@link #requestCancellation} flagged a job, both no
   * earlier than the write is visible to other callers (on a database: at its commit).
   *
   * @return the open feed, or empty if this store has none (core then never asks again)
   * @throws org.reportorchestrator.StorageException if the store has a feed but cannot open it now;
   *     core tries again later
   */
  default Optional<JobEventFeed> openEventFeed() {
    return Optional.empty();
  }

  /** Jobs that are {@code RUNNING} with {@code leaseExpiresAt < now}, oldest lease first. */
  List<StoredJob> findExpiredLeases(Instant now, int limit);

  Optional<StoredJob> find(JobId id);

  /**
   * The current state of each of {@code ids} that is stored, read in one call (one statement where
   * the store has statements); an id that is not stored (never was, or was purged) is absent from
   * the map. An id given twice is answered once; no ids, no answer (and no need to ask the store).
   *
   * <p>Core polls the jobs its callers wait for ({@code whenFinished}, {@code awaitCompletion})
   * with it, on each timer tick: one call for all of them, or one per {@value
   * #MAX_IDS_PER_STATES_CALL} if there are more, and then a {@link #find} only of each job the
   * answer shows terminal, to complete its waiters with the final snapshot. A tick in which no
   * waited-for job finished thus costs a thousand waiters one call, and only ids and states cross
   * the wire. Core never passes more than {@value #MAX_IDS_PER_STATES_CALL} ids in one call.
   *
   * @return the states of the stored ones among {@code ids}
   */
  Map<JobId, JobState> states(Collection<JobId> ids);

  /** The job's history, oldest entry first; empty if no such job is stored. */
  Optional<List<JobHistoryEntry>> history(JobId id);

  /**
   * The first {@code limit} jobs matching the query's filters that are listed after its cursor (all
   * of them if it has none), ordered by {@code createdAt}, then id in unsigned byte order (the
   * order of {@link JobId#compareTo}, of the ids' text form, and of a database's UUID column), or
   * in the reverse of that order when the query's {@link JobQuery#order() order} is newest first
   * (then "after the cursor" means earlier). The cursor need not name a stored job; its instant,
   * which may be finer than the store keeps, is compared with the instants as the store returns
   * them.
   *
   * <p>Deep pages should cost what the first does; a store that has to skip the jobs before the
   * cursor one by one will not answer large tables in time.
   */
  List<StoredJob> query(JobQuery query);

  /** The content of a {@code COMPLETED} job's result; the caller closes the stream. */
  Optional<InputStream> openResult(JobId id);

  /**
   * Deletes up to {@code limit} terminal jobs (with their results and history) with {@code
   * finishedAt < finishedBefore}.
   *
   * @return how many were deleted; core calls again while this equals {@code limit}
   */
  int purgeFinished(Instant finishedBefore, int limit);

  /**
   * Counts the store's jobs in one call, per report type: how many are in each state, how many are
   * due ({@code REQUESTED} with {@code runAt <= now}) and the {@code runAt} of the oldest due one.
   * The figures should come from one consistent read where the store offers it (one statement), so
   * that the due count never exceeds the {@code REQUESTED} count.
   *
   * <p>Core calls it for monitoring, at most once per statistics interval per node (10 s unless
   * configured), never on the path of a claim or a write; it may read every row, but should read
   * the due jobs through the index the claim uses.
   */
  JobStatistics statistics(Instant now);
}

package org.reportorchestrator.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.reportorchestrator.JobCursor;
import org.reportorchestrator.JobError;
import org.reportorchestrator.JobHistoryEntry;
import org.reportorchestrator.JobId;
import org.reportorchestrator.JobQuery;
import org.reportorchestrator.JobState;
import org.reportorchestrator.Progress;
import org.reportorchestrator.ReportResult;
import org.reportorchestrator.ResultInfo;

/**
 * The behaviour every {@link JobRepository} must show. A store proves itself by subclassing this
 * class and returning an empty store from {@link #newRepository()}:
 *
 * <pre>{@code
 * class MyJobRepositoryContractTest extends JobRepositoryContract {
 *   @Override
 *   protected JobRepository newRepository() {
 *     return new MyJobRepository(freshSchema());
 *   }
 * }
 * }</pre>
 *
 * <p>No test reads a clock or sleeps: every call gets an explicit instant, {@link #T0} plus an
 * offset, all whole milliseconds so that stores with coarse timestamps pass. Stores that differ in
 * what they can afford (threads, sizes) override the protected hooks; nothing else should need
 * changing. Not thread-safe itself; JUnit creates one instance per test.
 */
public abstract class JobRepositoryContract {

  /** The base instant of every test; far from the epoch and from the real clock on purpose. */
  protected static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

  /** The report type of a job unless a test says otherwise. */
  protected static final String DEFAULT_TYPE = "sales-summary";

  /** Every report type this suite inserts; claims name them all unless a test is about types. */
  protected static final Set<String> CLAIMABLE_TYPES =
      Set.of(DEFAULT_TYPE, "sales", "stock", "other");

  private static final Duration LEASE = Duration.ofSeconds(30);
  private static final String NODE_A = "node-a";
  private static final String NODE_B = "node-b";

  /** The order every query lists jobs in. */
  private static final Comparator<StoredJob> LISTING_ORDER =
      Comparator.comparing(StoredJob::createdAt).thenComparing(StoredJob::id);

  /** The store under test, fresh for each test. */
  protected JobRepository repository;

  /** Returns a new, empty store; called once before each test. */
  protected abstract JobRepository newRepository();

  /** Releases what {@link #newRepository()} acquired; called after each test. Does nothing here. */
  protected void closeRepository(JobRepository repository) {}

  /** How many threads the concurrency tests run at once. */
  protected int concurrentThreads() {
    return 8;
  }

  /**
   * Whether the store claims a job in the write that stores it ({@link
   * JobRepository#insertAndClaim}); a store that keeps the default stores it queued.
   */
  protected boolean claimsOnInsert() {
    return false;
  }

  /** How many jobs the claim hammer inserts. */
  protected int hammerJobCount() {
    return 2_000;
  }

  /** How long a concurrency test may take before it counts as hung; not a wait, a safety net. */
  protected Duration concurrencyTimeout() {
    return Duration.ofSeconds(60);
  }

  /** The size of the large result that must round-trip byte for byte. */
  protected int largeResultBytes() {
    return 1 << 20;
  }

  @BeforeEach
  final void openRepository() {
    repository = newRepository();
  }

  @AfterEach
  final void releaseRepository() {
    closeRepository(repository);
  }

  // ---------------------------------------------------------------------------------------------
  // insert

  @Test
  void insertedJobRoundTripsEveryFieldThroughFind() {
    Map<String, String> parameters = new LinkedHashMap<>();
    parameters.put("region", "EMEA");
    parameters.put("title", "Übersicht – 売上 📈 «Q1»");
    parameters.put("empty", "");
    parameters.put("quote", "it's \"quoted\"; DROP TABLE jobs; --");
    NewJob job =
        job()
            .type("sales-summary")
            .parameters(parameters)
            .idempotencyKey("sales-2030-Q1")
            .priority(7)
            .runAt(T0.plusSeconds(90))
            .maxAttempts(5)
            .timeout(Duration.ofMinutes(12))
            .createdAt(T0.plusMillis(1_234))
            .build();

    List<InsertResult> results = repository.insert(List.of(job));

    assertThat(results).containsExactly(new InsertResult(job.id(), true));
    StoredJob stored = find(job.id());
    assertThat(stored.id()).isEqualTo(job.id());
    assertThat(stored.reportType()).isEqualTo("sales-summary");
    assertThat(stored.parameters()).isEqualTo(parameters);
    assertThat(stored.idempotencyKey()).isEqualTo("sales-2030-Q1");
    assertThat(stored.priority()).isEqualTo(7);
    assertThat(stored.runAt()).isEqualTo(T0.plusSeconds(90));
    assertThat(stored.maxAttempts()).isEqualTo(5);
    assertThat(stored.timeout()).isEqualTo(Duration.ofMinutes(12));
    assertThat(stored.createdAt()).isEqualTo(T0.plusMillis(1_234));
  }

  @Test
  void insertedJobIsRequestedWithAttemptZeroNoProgressAndNoOwner() {
    NewJob job = job().build();

    repository.insert(List.of(job));

    StoredJob stored = find(job.id());
    assertThat(stored.state()).isEqualTo(JobState.REQUESTED);
    assertThat(stored.attempt()).isZero();
    assertThat(stored.progress()).isEqualTo(Progress.NONE);
    assertThat(stored.startedAt()).isNull();
    assertThat(stored.finishedAt()).isNull();
    assertThat(stored.lastError()).isNull();
    assertThat(stored.result()).isNull();
    assertThat(stored.ownerNode()).isNull();
    assertThat(stored.leaseExpiresAt()).isNull();
    assertThat(stored.cancellationRequested()).isFalse();
  }

  @Test
  void jobWithoutParametersOrKeyRoundTrips() {
    NewJob job = job().parameters(Map.of()).idempotencyKey(null).build();

    repository.insert(List.of(job));

    StoredJob stored = find(job.id());
    assertThat(stored.parameters()).isEmpty();
    assertThat(stored.idempotencyKey()).isNull();
  }

  @Test
  void batchInsertReturnsOneResultPerJobInTheOrderGiven() {
    List<NewJob> jobs = IntStream.range(0, 25).mapToObj(i -> job().build()).toList();

    List<InsertResult> results = repository.insert(jobs);

    assertThat(results)
        .containsExactlyElementsOf(jobs.stream().map(j -> new InsertResult(j.id(), true)).toList());
    assertThat(jobs).allSatisfy(j -> assertThat(repository.find(j.id())).isPresent());
  }

  @Test
  void insertingNothingReturnsNothing() {
    assertThat(repository.insert(List.of())).isEmpty();
  }

  @Test
  void findOfUnknownIdIsEmpty() {
    repository.insert(List.of(job().build()));

    assertThat(repository.find(randomId())).isEmpty();
  }

  // ---------------------------------------------------------------------------------------------
  // idempotency keys

  @Test
  void secondInsertWithSameIdempotencyKeyReturnsFirstIdAndStoresNothing() {
    NewJob first = job().idempotencyKey("nightly-2030-01-01").build();
    NewJob second = job().idempotencyKey("nightly-2030-01-01").type("other").build();
    repository.insert(List.of(first));

    List<InsertResult> results = repository.insert(List.of(second));

    assertThat(results).containsExactly(new InsertResult(first.id(), false));
    assertThat(repository.find(second.id())).isEmpty();
    assertThat(find(first.id()).reportType()).isEqualTo(first.reportType());
    assertThat(all()).hasSize(1);
  }

  @Test
  void duplicateKeyWithinOneBatchNamesTheEarlierJobOfThatBatch() {
    NewJob first = job().idempotencyKey("k").build();
    NewJob unrelated = job().idempotencyKey("other").build();
    NewJob duplicate = job().idempotencyKey("k").build();

    List<InsertResult> results = repository.insert(List.of(first, unrelated, duplicate));

    assertThat(results)
        .containsExactly(
            new InsertResult(first.id(), true),
            new InsertResult(unrelated.id(), true),
            new InsertResult(first.id(), false));
    assertThat(repository.find(duplicate.id())).isEmpty();
    assertThat(all()).hasSize(2);
  }

  @Test
  void batchMixingKnownAndNewKeysStoresOnlyTheNewJobs() {
    NewJob existing = job().idempotencyKey("known").build();
    repository.insert(List.of(existing));
    NewJob again = job().idempotencyKey("known").build();
    NewJob fresh = job().idempotencyKey("fresh").build();
    NewJob keyless = job().build();

    List<InsertResult> results = repository.insert(List.of(again, fresh, keyless));

    assertThat(results)
        .containsExactly(
            new InsertResult(existing.id(), false),
            new InsertResult(fresh.id(), true),
            new InsertResult(keyless.id(), true));
    assertThat(all())
        .extracting(StoredJob::id)
        .containsExactlyInAnyOrder(existing.id(), fresh.id(), keyless.id());
  }

  @Test
  void jobsWithoutIdempotencyKeyAreNeverDeduplicated() {
    NewJob first = job().idempotencyKey(null).build();
    NewJob second = job().idempotencyKey(null).build();

    List<InsertResult> results = repository.insert(List.of(first, second));

    assertThat(results).extracting(InsertResult::created).containsExactly(true, true);
    assertThat(all()).hasSize(2);
  }

  @Test
  void idempotencyKeyStillHoldsAfterTheJobFinished() {
    NewJob first = job().idempotencyKey("once").build();
    repository.insert(List.of(first));
    complete(claimOne(T0), T0.plusSeconds(1));

    List<InsertResult> results = repository.insert(List.of(job().idempotencyKey("once").build()));

    assertThat(results).containsExactly(new InsertResult(first.id(), false));
  }

  @Test
  void concurrentInsertsWithSameKeyAllGetOneIdAndExactlyOneCreates() throws Exception {
    int threads = concurrentThreads();
    List<NewJob> candidates =
        IntStream.range(0, threads).mapToObj(i -> job().idempotencyKey("race").build()).toList();

    List<InsertResult> results =
        runConcurrently(threads, i -> repository.insert(List.of(candidates.get(i))).get(0));

    assertThat(results).extracting(InsertResult::id).containsOnly(results.get(0).id());
    assertThat(results).filteredOn(InsertResult::created).hasSize(1);
    JobId winner = results.get(0).id();
    assertThat(candidates).extracting(NewJob::id).contains(winner);
    assertThat(all()).extracting(StoredJob::id).containsExactly(winner);
  }

  // ---------------------------------------------------------------------------------------------
  // claim

  @Test
  void claimTakesOnlyDueRequestedJobs() {
    NewJob past = job().runAt(T0.minusSeconds(60)).build();
    NewJob now = job().runAt(T0).build();
    NewJob future = job().runAt(T0.plusMillis(1)).build();
    repository.insert(List.of(past, now, future));

    List<StoredJob> claimed = claim(NODE_A, 10, T0);

    assertThat(claimed).extracting(StoredJob::id).containsExactlyInAnyOrder(past.id(), now.id());
    assertThat(find(future.id()).state()).isEqualTo(JobState.REQUESTED);
  }

  @Test
  void futureJobIsClaimedOnceItIsDue() {
    NewJob future = job().runAt(T0.plusSeconds(10)).build();
    repository.insert(List.of(future));

    assertThat(claim(NODE_A, 10, T0.plusSeconds(9))).isEmpty();
    assertThat(claim(NODE_A, 10, T0.plusSeconds(10)))
        .extracting(StoredJob::id)
        .containsExactly(future.id());
  }

  @Test
  void nodeWithASlowerClockDoesNotClaimJobsThatAreDueOnlyByAnotherNodesClock() {
    NewJob urgent = job().priority(9).runAt(T0).build();
    NewJob dueLater = job().priority(5).runAt(T0.plusSeconds(50)).build();
    NewJob dueEarly = job().priority(1).runAt(T0).build();
    repository.insert(List.of(urgent, dueLater, dueEarly));
    assertThat(claim(NODE_A, 1, T0.plusSeconds(100)))
        .extracting(StoredJob::id)
        .containsExactly(urgent.id());

    List<StoredJob> claimedBySlowNode = claim(NODE_B, 10, T0.plusSeconds(10));

    assertThat(claimedBySlowNode).extracting(StoredJob::id).containsExactly(dueEarly.id());
    assertThat(find(dueLater.id()).state()).isEqualTo(JobState.REQUESTED);
  }

  @Test
  void claimOrdersByPriorityThenRunAtThenCreatedAt() {
    NewJob lowOld =
        job().priority(0).runAt(T0.minusSeconds(50)).createdAt(T0.minusSeconds(90)).build();
    NewJob highLate =
        job().priority(5).runAt(T0.minusSeconds(10)).createdAt(T0.minusSeconds(80)).build();
    NewJob highEarlyNewer =
        job().priority(5).runAt(T0.minusSeconds(20)).createdAt(T0.minusSeconds(30)).build();
    NewJob highEarlyOlder =
        job().priority(5).runAt(T0.minusSeconds(20)).createdAt(T0.minusSeconds(40)).build();
    NewJob negative =
        job().priority(-3).runAt(T0.minusSeconds(100)).createdAt(T0.minusSeconds(100)).build();
    NewJob mid = job().priority(2).runAt(T0).createdAt(T0).build();
    // inserted in an order that matches none of the expected orders
    repository.insert(List.of(mid, lowOld, highLate, negative, highEarlyNewer, highEarlyOlder));

    List<JobId> order = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      order.addAll(claim(NODE_A, 1, T0).stream().map(StoredJob::id).toList());
    }

    assertThat(order)
        .containsExactly(
            highEarlyOlder.id(),
            highEarlyNewer.id(),
            highLate.id(),
            mid.id(),
            lowOld.id(),
            negative.id());
  }

  @Test
  void claimOfSeveralJobsTakesTheFirstInClaimOrder() {
    NewJob low = job().priority(1).build();
    NewJob high = job().priority(9).build();
    NewJob middle = job().priority(5).build();
    repository.insert(List.of(low, high, middle));

    List<StoredJob> claimed = claim(NODE_A, 2, T0);

    assertThat(claimed).extracting(StoredJob::id).containsExactlyInAnyOrder(high.id(), middle.id());
  }

  @Test
  void claimTakesOnlyJobsOfTheRequestedReportTypes() {
    NewJob sales = job().type("sales").build();
    NewJob stock = job().type("stock").build();
    NewJob other = job().type("other").priority(9).build();
    repository.insert(List.of(sales, stock, other));

    List<StoredJob> claimed =
        repository.claim(
            new ClaimRequest(NODE_A, Set.of("sales", "stock"), 10, T0, T0.plus(LEASE)));

    assertThat(claimed).extracting(StoredJob::id).containsExactlyInAnyOrder(sales.id(), stock.id());
    assertThat(find(other.id()).state()).isEqualTo(JobState.REQUESTED);
    assertThat(
            repository.claim(new ClaimRequest(NODE_B, Set.of("unknown"), 10, T0, T0.plus(LEASE))))
        .isEmpty();
  }

  @Test
  void claimOfSeveralReportTypesKeepsOneOrderAcrossThem() {
    NewJob salesLow = job().type("sales").priority(1).build();
    NewJob stockHigh = job().type("stock").priority(5).build();
    NewJob salesMiddle = job().type("sales").priority(3).build();
    NewJob otherHighest = job().type("other").priority(9).build();
    NewJob stockOlder = job().type("stock").priority(1).runAt(T0.minusSeconds(1)).build();
    repository.insert(List.of(salesLow, stockHigh, salesMiddle, otherHighest, stockOlder));
    Set<String> types = Set.of("sales", "stock");

    List<JobId> order = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      order.addAll(ids(repository.claim(new ClaimRequest(NODE_A, types, 1, T0, T0.plus(LEASE)))));
    }

    assertThat(order)
        .containsExactly(stockHigh.id(), salesMiddle.id(), stockOlder.id(), salesLow.id());
  }

  @Test
  void claimOfSeveralJobsAcrossReportTypesTakesTheFirstInClaimOrder() {
    NewJob sales = job().type("sales").priority(1).build();
    NewJob stock = job().type("stock").priority(2).build();
    NewJob other = job().type("other").priority(3).build();
    NewJob salesTop = job().type("sales").priority(4).build();
    repository.insert(List.of(sales, stock, other, salesTop));

    List<StoredJob> claimed =
        repository.claim(
            new ClaimRequest(NODE_A, Set.of("sales", "stock", "other"), 2, T0, T0.plus(LEASE)));

    assertThat(claimed)
        .extracting(StoredJob::id)
        .containsExactlyInAnyOrder(salesTop.id(), other.id());
  }

  @Test
  void claimsFollowOneOrderAcrossTypesPriorityLevelsAndDueTimes() {
    Random random = new Random(7);
    List<String> types = List.of("sales", "stock", "audit", "other");
    List<NewJob> jobs = new ArrayList<>();
    for (int i = 0; i < 80; i++) {
      jobs.add(
          job()
              .type(types.get(random.nextInt(types.size())))
              .priority(List.of(-1, 0, 3, 7).get(random.nextInt(4)))
              // a quarter falls due only later, most of them at the highest priority
              .runAt(
                  T0.plusSeconds(
                      random.nextInt(4) == 0 ? 1 + random.nextInt(60) : -random.nextInt(60)))
              .createdAt(T0.minusSeconds(random.nextInt(30)))
              .build());
    }
    jobs.add(job().type("sales").priority(9).runAt(T0.plusSeconds(5)).build());
    repository.insert(jobs);
    Set<String> requested = Set.of("sales", "stock", "audit");

    List<JobId> order = new ArrayList<>();
    for (int limit = 1; ; limit = limit % 5 + 1) {
      List<StoredJob> claimed =
          repository.claim(new ClaimRequest(NODE_A, requested, limit, T0, T0.plus(LEASE)));
      assertThat(claimed).isSortedAccordingTo(StoredJob.CLAIM_ORDER);
      order.addAll(ids(claimed));
      if (claimed.size() < limit) {
        break;
      }
    }

    List<JobId> expected =
        jobs.stream()
            .filter(job -> requested.contains(job.reportType()) && !job.runAt().isAfter(T0))
            .sorted(
                Comparator.comparingInt(NewJob::priority)
                    .reversed()
                    .thenComparing(NewJob::runAt)
                    .thenComparing(NewJob::createdAt)
                    .thenComparing(NewJob::id))
            .map(NewJob::id)
            .toList();
    assertThat(expected).hasSizeGreaterThan(30);
    assertThat(order).containsExactlyElementsOf(expected);
  }

  @Test
  void claimHonoursItsLimit() {
    repository.insert(IntStream.range(0, 10).mapToObj(i -> job().build()).toList());

    assertThat(claim(NODE_A, 3, T0)).hasSize(3);
    assertThat(claim(NODE_A, 4, T0)).hasSize(4);
    assertThat(claim(NODE_A, 5, T0)).hasSize(3);
    assertThat(claim(NODE_A, 5, T0)).isEmpty();
  }

  @Test
  void claimOnEmptyStoreReturnsNothing() {
    assertThat(claim(NODE_A, 5, T0)).isEmpty();
  }

  @Test
  void claimMakesJobRunningUnderNewLease() {
    NewJob job = job().runAt(T0.minusSeconds(5)).build();
    repository.insert(List.of(job));
    long tokenBefore = find(job.id()).fencingToken();
    Instant now = T0.plusSeconds(3);

    List<StoredJob> claimed =
        repository.claim(new ClaimRequest(NODE_A, CLAIMABLE_TYPES, 1, now, now.plus(LEASE)));

    assertThat(claimed).hasSize(1);
    StoredJob returned = claimed.get(0);
    assertThat(find(job.id())).isEqualTo(returned);
    assertThat(returned.state()).isEqualTo(JobState.RUNNING);
    assertThat(returned.attempt()).isEqualTo(1);
    assertThat(returned.ownerNode()).isEqualTo(NODE_A);
    assertThat(returned.startedAt()).isEqualTo(now);
    assertThat(returned.leaseExpiresAt()).isEqualTo(now.plus(LEASE));
    assertThat(returned.fencingToken()).isGreaterThan(tokenBefore);
    assertThat(returned.finishedAt()).isNull();
    assertThat(returned.cancellationRequested()).isFalse();
    assertThat(returned.progress()).isEqualTo(Progress.NONE);
    assertThat(returned.reportType()).isEqualTo(job.reportType());
    assertThat(returned.parameters()).isEqualTo(job.parameters());
  }

  @Test
  void claimedJobIsNotClaimedAgain() {
    NewJob job = job().build();
    repository.insert(List.of(job));
    claim(NODE_A, 1, T0);

    assertThat(claim(NODE_B, 10, T0.plusSeconds(1))).isEmpty();
    assertThat(find(job.id()).ownerNode()).isEqualTo(NODE_A);
  }

  @Test
  void runningJobWithExpiredLeaseIsNotClaimedAgain() {
    repository.insert(List.of(job().build()));
    claim(NODE_A, 1, T0);

    // rescuing an expired lease is core's decision, made through apply(), never claim's
    assertThat(claim(NODE_B, 10, T0.plus(LEASE).plusSeconds(60))).isEmpty();
  }

  @Test
  void cancelledAndFinishedJobsAreNeverClaimed() {
    NewJob cancelledQueued = job().build();
    NewJob completed = job().priority(9).build();
    NewJob failed = job().priority(8).build();
    NewJob cancelledRunning = job().priority(7).build();
    repository.insert(List.of(cancelledQueued, completed, failed, cancelledRunning));
    assertThat(repository.cancelQueued(cancelledQueued.id(), T0)).isTrue();
    Map<JobId, StoredJob> running = byId(claim(NODE_A, 3, T0));
    assertThat(running).containsOnlyKeys(completed.id(), failed.id(), cancelledRunning.id());
    Instant at = T0.plusSeconds(1);
    repository.apply(
        List.of(
            Transition.completed(
                running.get(completed.id()).lease(), at, ReportResult.ofText("x", "text/plain")),
            Transition.failed(running.get(failed.id()).lease(), at, error("boom")),
            Transition.cancelled(running.get(cancelledRunning.id()).lease(), at, null)));

    assertThat(claim(NODE_B, 10, T0.plusSeconds(3600))).isEmpty();
  }

  @Test
  void reclaimAfterRetryRaisesTheFencingTokenAndTheAttempt() {
    NewJob job = job().build();
    repository.insert(List.of(job));
    StoredJob first = claimOne(T0);
    retry(first, T0.plusSeconds(1), T0.plusSeconds(5));

    StoredJob second = claimOne(T0.plusSeconds(5));

    assertThat(second.fencingToken()).isGreaterThan(first.fencingToken());
    assertThat(second.attempt()).isEqualTo(2);
    assertThat(second.startedAt()).isEqualTo(T0.plusSeconds(5));
  }

  @Test
  void reclaimedJobStartsWithNoProgress() {
    NewJob job = job().build();
    repository.insert(List.of(job));
    StoredJob first = claimOne(T0);
    assertThat(
            repository.updateProgress(
                new ProgressUpdate(first.lease(), new Progress(40, "halfway"), T0.plusSeconds(1))))
        .isTrue();
    retry(first, T0.plusSeconds(2), T0.plusSeconds(2));

    StoredJob second = claimOne(T0.plusSeconds(3));

    assertThat(second.progress()).isEqualTo(Progress.NONE);
    assertThat(find(job.id()).progress()).isEqualTo(Progress.NONE);
  }

  @Test
  void concurrentClaimersTakeEveryJobExactlyOnce() throws Exception {
    int jobCount = hammerJobCount();
    int threads = concurrentThreads();
    List<NewJob> jobs =
        IntStream.range(0, jobCount)
            .mapToObj(i -> job().priority(i % 7).runAt(T0.minusMillis(i)).build())
            .toList();
    for (int from = 0; from < jobCount; from += 500) {
      repository.insert(jobs.subList(from, Math.min(jobCount, from + 500)));
    }
    Map<JobId, String> claimers = new ConcurrentHashMap<>();
    ConcurrentLinkedQueue<JobId> claimedIds = new ConcurrentLinkedQueue<>();

    runConcurrently(
        threads,
        i -> {
          String node = "node-" + i;
          int batch = 1 + i % 5;
          List<StoredJob> claimed;
          do {
            claimed =
                repository.claim(
                    new ClaimRequest(node, CLAIMABLE_TYPES, batch, T0, T0.plus(LEASE)));
            for (StoredJob job : claimed) {
              claimedIds.add(job.id());
              claimers.put(job.id(), node);
            }
          } while (!claimed.isEmpty());
          return null;
        });

    assertThat(claimedIds).hasSize(jobCount).doesNotHaveDuplicates();
    assertThat(Set.copyOf(claimedIds))
        .isEqualTo(jobs.stream().map(NewJob::id).collect(Collectors.toSet()));
    for (NewJob job : jobs) {
      StoredJob stored = find(job.id());
      assertThat(stored.state()).isEqualTo(JobState.RUNNING);
      assertThat(stored.attempt()).isEqualTo(1);
      assertThat(stored.ownerNode()).isEqualTo(claimers.get(job.id()));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // running limits

  @Test
  void runningLimitCapsWhatOneClaimTakesOfItsType() {
    List<NewJob> sales =
        IntStream.range(0, 5).mapToObj(i -> job().type("sales").priority(5).build()).toList();
    List<NewJob> stock = IntStream.range(0, 3).mapToObj(i -> job().type("stock").build()).toList();
    repository.insert(sales);
    repository.insert(stock);

    List<StoredJob> claimed = claimLimited(NODE_A, 10, Map.of("sales", 2));

    assertThat(claimed).filteredOn(job -> job.reportType().equals("sales")).hasSize(2);
    assertThat(claimed)
        .filteredOn(job -> job.reportType().equals("stock"))
        .extracting(StoredJob::id)
        .containsExactlyInAnyOrderElementsOf(newIds(stock));
    assertThat(running("sales")).isEqualTo(2);
  }

  @Test
  void runningJobsOfTheTypeCountAgainstItsLimitUntilTheyFinish() {
    repository.insert(IntStream.range(0, 6).mapToObj(i -> job().type("sales").build()).toList());
    Map<String, Integer> limits = Map.of("sales", 3);
    List<StoredJob> unlimited =
        repository.claim(new ClaimRequest(NODE_B, Set.of("sales"), 2, T0, T0.plus(LEASE)));
    assertThat(unlimited).hasSize(2);

    assertThat(claimLimited(NODE_A, 10, limits)).as("room for one more").hasSize(1);
    assertThat(claimLimited(NODE_A, 10, limits)).as("at the limit").isEmpty();

    complete(unlimited.get(0), T0.plusSeconds(1));
    assertThat(claimLimited(NODE_A, 10, limits)).as("a finished job frees its place").hasSize(1);
    retry(unlimited.get(1), T0.plusSeconds(1), T0.plusSeconds(1));
    assertThat(claimLimited(NODE_A, 10, limits)).as("so does a retried one").hasSize(1);
    assertThat(running("sales")).isEqualTo(3);
  }

  @Test
  void typeAtItsLimitDoesNotHoldBackOtherTypes() {
    repository.insert(
        IntStream.range(0, 4).mapToObj(i -> job().type("sales").priority(9).build()).toList());
    List<NewJob> stock = IntStream.range(0, 3).mapToObj(i -> job().type("stock").build()).toList();
    repository.insert(stock);
    Map<String, Integer> limits = Map.of("sales", 1);
    assertThat(claimLimited(NODE_A, 1, limits))
        .extracting(StoredJob::reportType)
        .containsOnly("sales");

    List<StoredJob> claimed = claimLimited(NODE_B, 3, limits);

    assertThat(claimed)
        .extracting(StoredJob::id)
        .containsExactlyInAnyOrderElementsOf(newIds(stock));
    assertThat(running("sales")).isEqualTo(1);
  }

  @Test
  void runningLimitOfATypeNotRequestedChangesNothing() {
    List<NewJob> stock = IntStream.range(0, 3).mapToObj(i -> job().type("stock").build()).toList();
    repository.insert(stock);

    List<StoredJob> claimed =
        repository.claim(
            new ClaimRequest(NODE_A, Set.of("stock"), 10, T0, T0.plus(LEASE), Map.of("sales", 1)));

    assertThat(claimed)
        .extracting(StoredJob::id)
        .containsExactlyInAnyOrderElementsOf(newIds(stock));
  }

  @Test
  void concurrentClaimersNeverTogetherExceedARunningLimit() throws Exception {
    int limit = 3;
    int perType = Math.max(60, hammerJobCount() / 10);
    repository.insert(
        IntStream.range(0, perType)
            .mapToObj(i -> job().type("sales").priority(i % 3).build())
            .toList());
    List<NewJob> stock =
        IntStream.range(0, perType).mapToObj(i -> job().type("stock").build()).toList();
    repository.insert(stock);
    Map<String, Integer> limits = Map.of("sales", limit);
    // Held counts a job from after its claim returned until before its completion is written, so
    // it never exceeds what the store holds RUNNING: a maximum above the limit is a breach.
    AtomicInteger held = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    ConcurrentLinkedQueue<JobId> claimedStock = new ConcurrentLinkedQueue<>();

    // churn: each claimed sales job is finished at once, so the limit's room keeps reopening
    runConcurrently(
        concurrentThreads(),
        i -> {
          List<StoredJob> claimed;
          do {
            claimed = claimLimited("node-" + i, 1 + i % 5, limits);
            List<StoredJob> sales = new ArrayList<>();
            for (StoredJob job : claimed) {
              if (job.reportType().equals("sales")) {
                sales.add(job);
              } else {
                claimedStock.add(job.id());
              }
            }
            most.accumulateAndGet(held.addAndGet(sales.size()), Math::max);
            for (StoredJob job : sales) {
              held.decrementAndGet();
              complete(job, T0.plusSeconds(1));
            }
          } while (!claimed.isEmpty());
          return null;
        });

    assertThat(most.get()).isBetween(1, limit);
    assertThat(claimedStock)
        .doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(newIds(stock));
    assertThat(
            repository.query(
                JobQuery.all()
                    .ofType("sales")
                    .inStates(JobState.COMPLETED)
                    .limit(JobQuery.MAX_LIMIT)))
        .hasSize(perType);

    // hold: nothing finishes, so the store's count after every claim is the whole story
    repository.insert(IntStream.range(0, 40).mapToObj(i -> job().type("sales").build()).toList());
    runConcurrently(
        concurrentThreads(),
        i -> {
          while (!claimLimited("node-" + i, 1 + i % 3, limits).isEmpty()) {
            // claim until nothing more may be taken
          }
          return null;
        });
    assertThat(running("sales")).isEqualTo(limit);
  }

  private List<StoredJob> claimLimited(String node, int limit, Map<String, Integer> limits) {
    return repository.claim(
        new ClaimRequest(node, CLAIMABLE_TYPES, limit, T0, T0.plus(LEASE), limits));
  }

  /** How many jobs of {@code type} the store holds RUNNING. */
  private int running(String type) {
    return repository
        .query(JobQuery.all().ofType(type).inStates(JobState.RUNNING).limit(JobQuery.MAX_LIMIT))
        .size();
  }

  // ---------------------------------------------------------------------------------------------
  // insertAndClaim

  @Test
  void aJobClaimedAsItIsStoredIsLeftAsAnInsertAndAClaimLeaveIt() {
    NewJob viaQueue = job().priority(3).build();
    repository.insert(List.of(viaQueue));
    StoredJob claimed = claimOne(T0);
    NewJob atOnce = job().priority(3).build();

    Optional<StoredJob> started =
        repository.insertAndClaim(atOnce, claimRequest(NODE_A, T0.plusSeconds(1)));

    if (!claimsOnInsert()) {
      assertThat(started).isEmpty();
      assertThat(find(atOnce.id()).state()).isEqualTo(JobState.REQUESTED);
      assertThat(history(atOnce.id())).hasSize(1);
      return;
    }
    assertThat(started).isPresent();
    assertThat(started.orElseThrow()).isEqualTo(find(atOnce.id()));
    assertThat(started.orElseThrow())
        .usingRecursiveComparison()
        .ignoringFields("id", "startedAt", "updatedAt", "leaseExpiresAt")
        .isEqualTo(claimed);
    assertThat(started.orElseThrow().startedAt()).isEqualTo(T0.plusSeconds(1));
    assertThat(started.orElseThrow().leaseExpiresAt()).isEqualTo(T0.plusSeconds(1).plus(LEASE));
    assertThat(history(atOnce.id()))
        .usingRecursiveFieldByFieldElementComparatorIgnoringFields("at")
        .isEqualTo(history(viaQueue.id()));
    assertThat(claim(NODE_B, 10, T0.plusSeconds(2))).isEmpty();
  }

  @Test
  void aJobIsStoredQueuedBehindADueJobOfAtLeastItsPriority() {
    NewJob waiting = job().priority(5).build();
    repository.insert(List.of(waiting));
    NewJob submitted = job().type("sales").priority(5).createdAt(T0.plusSeconds(1)).build();

    Optional<StoredJob> started =
        repository.insertAndClaim(submitted, claimRequest(NODE_A, T0.plusSeconds(1)));

    assertThat(started).isEmpty();
    assertThat(find(submitted.id()).state()).isEqualTo(JobState.REQUESTED);
    assertThat(history(submitted.id())).hasSize(1);
    assertThat(claim(NODE_A, 2, T0.plusSeconds(2)))
        .extracting(StoredJob::id)
        .containsExactly(waiting.id(), submitted.id());
  }

  @Test
  void aDueJobOfAnotherTypeAtAHigherPriorityKeepsAJobQueued() {
    NewJob waiting = job().type("stock").priority(8).build();
    repository.insert(List.of(waiting));
    NewJob submitted = job().priority(3).createdAt(T0.plusSeconds(1)).build();

    Optional<StoredJob> started =
        repository.insertAndClaim(submitted, claimRequest(NODE_A, T0.plusSeconds(1)));

    assertThat(started).isEmpty();
    assertThat(find(submitted.id()).state()).isEqualTo(JobState.REQUESTED);
    assertThat(claim(NODE_A, 2, T0.plusSeconds(2)))
        .extracting(StoredJob::id)
        .containsExactly(waiting.id(), submitted.id());
  }

  @Test
  void onlyADueJobThatAClaimOfTheNodeWouldTakeFirstKeepsAJobQueued() {
    repository.insert(
        List.of(
            job().priority(4).build(),
            job().priority(9).runAt(T0.plusSeconds(60)).build(),
            job().priority(7).runAt(T0.plusSeconds(60)).build(),
            job().type("not-claimed-here").priority(9).build()));
    NewJob submitted = job().priority(5).build();

    Optional<StoredJob> started =
        repository.insertAndClaim(submitted, claimRequest(NODE_A, T0.plusSeconds(1)));

    assertThat(started.map(StoredJob::id))
        .isEqualTo(claimsOnInsert() ? Optional.of(submitted.id()) : Optional.empty());
  }

  @Test
  void aDueJobBelowLevelsOfLaterJobsStillKeepsAJobQueued() {
    NewJob waiting = job().priority(6).build();
    repository.insert(
        List.of(
            job().priority(9).runAt(T0.plusSeconds(60)).build(),
            job().type("sales").priority(8).runAt(T0.plusSeconds(60)).build(),
            waiting));
    NewJob submitted = job().type("sales").priority(6).createdAt(T0.plusSeconds(1)).build();

    Optional<StoredJob> started =
        repository.insertAndClaim(submitted, claimRequest(NODE_A, T0.plusSeconds(1)));

    assertThat(started).isEmpty();
    assertThat(claim(NODE_A, 1, T0.plusSeconds(2)))
        .extracting(StoredJob::id)
        .containsExactly(waiting.id());
  }

  private static ClaimRequest claimRequest(String node, Instant now) {
    return new ClaimRequest(node, CLAIMABLE_TYPES, 1, now, now.plus(LEASE));
  }

  // ---------------------------------------------------------------------------------------------
  // apply

  @Test
  void completedTransitionStoresResultAndFinishesJob() throws IOException {
    NewJob job = job().build();
    repository.insert(List.of(job));
    StoredJob running = claimOne(T0);
    ReportResult result =
        ReportResult.ofText("region,total\nEMEA,42\n", "text/csv")
            .withFileName("sales.csv")
            .withMetadata("rows", "1");
    Instant at = T0.plusSeconds(7);

    List<Boolean> applied =
        repository.apply(List.of(Transition.completed(running.lease(), at, result)));

    assertThat(applied).containsExactly(true);
    StoredJob done = find(job.id());
    assertThat(done.state()).isEqualTo(JobState.COMPLETED);
    assertThat(done.finishedAt()).isEqualTo(at);
    assertThat(done.updatedAt()).isEqualTo(at);
    assertThat(done.startedAt()).isEqualTo(T0);
    assertThat(done.attempt()).isEqualTo(1);
    assertThat(done.ownerNode()).isNull();
    assertThat(done.leaseExpiresAt()).isNull();
    assertThat(done.cancellationRequested()).isFalse();
    assertThat(done.progress().percent()).isEqualTo(100);
    assertThat(done.result())
        .isEqualTo(
            new ResultInfo("text/csv", "sales.csv", result.sizeBytes(), Map.of("rows", "1")));
    assertThat(readResult(job.id())).isEqualTo(result.bytes());
  }

  @Test
  void resultBytesRoundTripExactly() throws IOException {
    byte[] content = new byte[largeResultBytes()];
    for (int i = 0; i < content.length; i++) {
      content[i] = (byte) (i * 31 + (i >>> 8));
    }
    NewJob job = job().build();
    repository.insert(List.of(job));
    StoredJob running = claimOne(T0);

    repository.apply(
        List.of(
            Transition.completed(
                running.lease(),
                T0.plusSeconds(1),
                ReportResult.ofBytes(content, "application/octet-stream"))));

    assertThat(readResult(job.id())).isEqualTo(content);
    assertThat(find(job.id()).result().sizeBytes()).isEqualTo(content.length);
  }

  @Test
  void emptyResultIsStoredAsZeroBytes() throws IOException {
    NewJob job = job().build();
    repository.insert(List.of(job));
    StoredJob running = claimOne(T0);

    repository.apply(
        List.of(Transition.completed(running.lease(), T0.plusSeconds(1), ReportResult.empty())));

    assertThat(readResult(job.id())).isEmpty();
    ResultInfo info = find(job.id()).result();
    assertThat(info.sizeBytes()).isZero();
    assertThat(info.fileName()).isNull();
    assertThat(info.metadata()).isEmpty();
  }

  @Test
  void failedTransitionStoresErrorAndFinishesJob() {
    NewJob job = job().build();
    repository.insert(List.of(job));
    StoredJob running = claimOne(T0);
    JobError error =
        new JobError(
            "java.lang.IllegalStateException",
            "no data for région 東京",
            "java.lang.IllegalStateException: no data\n\tat Sales.run(Sales.java:42)\n");
    Instant at = T0.plusSeconds(4);

    List<Boolean> applied =
        repository.apply(List.of(Transition.failed(running.lease(), at, error)));

    assertThat(applied).containsExactly(true);
    StoredJob failed = find(job.id());
    assertThat(failed.state()).isEqualTo(JobState.FAILED);
    assertThat(failed.lastError()).isEqualTo(error);
    assertThat(failed.finishedAt()).isEqualTo(at);
    assertThat(failed.updatedAt()).isEqualTo(at);
    assertThat(failed.ownerNode()).isNull();
    assertThat(failed.leaseExpiresAt()).isNull();
    assertThat(failed.result()).isNull();
    assertThat(repository.openResult(job.id())).isEmpty();
  }

  @Test
  void errorWithoutMessageRoundTrips() {
    NewJob job = job().build();
    repository.insert(List.of(job));
    StoredJob running = claimOne(T0);
    JobError error = new JobError("java.lang.NullPointerException", null, "trace");

    repository.apply(List.of(Transition.failed(running.lease(), T0.plusSeconds(1), error)));

    assertThat(find(job.id()).lastError()).isEqualTo(error);
  }

  @Test
  void cancelledTransitionFinishesJob() {
    NewJob job = job().build();
    repository.insert(List.of(job));
    StoredJob running = claimOne(T0);
    repository.requestCancellation(job.id(), T0.plusSeconds(1));
    JobError error =
        new JobError("org.reportorchestrator.ReportCancelledException", "cancelled", "t");
    Instant at = T0.plusSeconds(2);

    List<Boolean> applied =
        repository.apply(List.of(Transition.cancelled(running.lease(), at, error)));

    assertThat(applied).containsExactly(true);
    StoredJob cancelled = find(job.id());
    assertThat(cancelled.state()).isEqualTo(JobState.CANCELLED);
    assertThat(cancelled.finishedAt()).isEqualTo(at);
    assertThat(cancelled.updatedAt()).isEqualTo(at);
    assertThat(cancelled.lastError()).isEqualTo(error);
    assertThat(cancelled.ownerNode()).isNull();
    assertThat(cancelled.leaseExpiresAt()).isNull();
    assertThat(cancelled.cancellationRequested()).isFalse();
  }

  @Test
  void retryTransitionRequeuesJobForNextRunAtKeepingTheAttempt() {
    NewJob job = job().maxAttempts(3).build();
    repository.insert(List.of(job));
    StoredJob running = claimOne(T0);
    JobError error = error("timeout talking to warehouse");
    Instant at = T0.plusSeconds(2);
    Instant nextRunAt = T0.plusSeconds(60);

    List<Boolean> applied =
        repository.apply(List.of(Transition.retry(running.lease(), at, nextRunAt, error)));

    assertThat(applied).containsExactly(true);
    StoredJob requeued = find(job.id());
    assertThat(requeued.state()).isEqualTo(JobState.REQUESTED);
    assertThat(requeued.runAt()).isEqualTo(nextRunAt);
    assertThat(requeued.attempt()).isEqualTo(1);
    assertThat(requeued.lastError()).isEqualTo(error);
    assertThat(requeued.updatedAt()).isEqualTo(at);
    assertThat(requeued.finishedAt()).isNull();
    assertThat(requeued.ownerNode()).isNull();
    assertThat(requeued.leaseExpiresAt()).isNull();
    assertThat(requeued.cancellationRequested()).isFalse();
  }

  @Test
  void retriedJobIsClaimableAgainOnlyOnceDue() {
    NewJob job = job().build();
    repository.insert(List.of(job));
    StoredJob first = claimOne(T0);
    retry(first, T0.plusSeconds(1), T0.plusSeconds(60));

    assertThat(claim(NODE_B, 10, T0.plusSeconds(59))).isEmpty();
    List<StoredJob> again = claim(NODE_B, 10, T0.plusSeconds(60));

    assertThat(again).extracting(StoredJob::id).containsExactly(job.id());
    StoredJob second = again.get(0);
    assertThat(second.ownerNode()).isEqualTo(NODE_B);
    assertThat(second.attempt()).isEqualTo(2);
    assertThat(second.fencingToken()).isGreaterThan(first.fencingToken());
    assertThat(second.lastError()).isEqualTo(error("retry me"));
  }

  @Test
  void releasedTransitionRefundsTheAttemptAndIsDueAtOnce() {
    NewJob job = job().runAt(T0.minusSeconds(30)).build();
    repository.insert(List.of(job));
    StoredJob running = claimOne(T0);
    Instant at = T0.plusSeconds(10);

    List<Boolean> applied = repository.apply(List.of(Transition.released(running.lease(), at)));

    assertThat(applied).containsExactly(true);
    StoredJob released = find(job.id());
    assertThat(released.state()).isEqualTo(JobState.REQUESTED);
    assertThat(released.attempt()).isZero();
    assertThat(released.runAt()).isEqualTo(at);
    assertThat(released.ownerNode()).isNull();
    assertThat(released.leaseExpiresAt()).isNull();
    StoredJob reclaimed = claimOne(at);
    assertThat(reclaimed.attempt()).isEqualTo(1);
    assertThat(reclaimed.fencingToken()).isGreaterThan(running.fencingToken());
  }

  @Test
  void mixedBatchReturnsExactlyTheAppliedIds() {
    List<NewJob> jobs =
        IntStream.range(0, 6).mapToObj(i -> job().priority(10 - i).build()).toList();
    repository.insert(jobs);
    Map<JobId, StoredJob> claimed = byId(claim(NODE_A, 6, T0));
    List<StoredJob> running = jobs.stream().map(j -> claimed.get(j.id())).toList();
    assertThat(running).doesNotContainNull();
    Instant at = T0.plusSeconds(5);
    // job 5 finished earlier, so its transition in the batch below is stale
    repository.apply(
        List.of(Transition.failed(running.get(5).lease(), T0.plusSeconds(1), error("x"))));

    List<Boolean> applied =
        repository.apply(
            List.of(
                Transition.completed(
                    running.get(0).lease(), at, ReportResult.ofText("a", "text/plain")),
                Transition.failed(running.get(1).lease(), at, error("b")),
                Transition.cancelled(running.get(2).lease(), at, null),
                Transition.retry(running.get(3).lease(), at, at.plusSeconds(5), error("d")),
                Transition.released(
                    new Lease(running.get(4).id(), running.get(4).fencingToken() + 1000), at),
                Transition.completed(running.get(5).lease(), at, ReportResult.empty()),
                Transition.failed(new Lease(randomId(), 1), at, error("unknown"))));

    assertThat(applied).containsExactly(true, true, true, true, false, false, false);
    assertThat(find(running.get(0).id()).state()).isEqualTo(JobState.COMPLETED);
    assertThat(find(running.get(1).id()).state()).isEqualTo(JobState.FAILED);
    assertThat(find(running.get(2).id()).state()).isEqualTo(JobState.CANCELLED);
    assertThat(find(running.get(3).id()).state()).isEqualTo(JobState.REQUESTED);
    assertThat(find(running.get(4).id())).isEqualTo(running.get(4));
    assertThat(find(running.get(5).id()).state()).isEqualTo(JobState.FAILED);
  }

  /**
   * A store may write a batch in another form than a lone transition (PostgreSQL writes a batch in
   * one statement): both must leave the same job behind, field by field and in its history.
   */
  @Test
  void aBatchWritesEveryFieldAsLoneTransitionsDo() throws IOException {
    List<NewJob> jobs =
        IntStream.range(0, 12).mapToObj(i -> job().priority(20 - i).build()).toList();
    repository.insert(jobs);
    Map<JobId, StoredJob> claimed = byId(claim(NODE_A, 12, T0));
    List<StoredJob> running = jobs.stream().map(j -> claimed.get(j.id())).toList();
    assertThat(running).doesNotContainNull();
    Instant at = T0.plusSeconds(5);
    ReportResult csv =
        ReportResult.ofText("region,total\nEMEA,42\n", "text/csv")
            .withFileName("sales.csv")
            .withMetadata("rows", "1");
    List<Function<Lease, Transition>> kinds =
        List.of(
            lease -> Transition.completed(lease, at, csv),
            lease -> Transition.completed(lease, at, ReportResult.empty()),
            lease -> Transition.failed(lease, at, error("boom \"quoted\"\nsecond line")),
            lease -> Transition.cancelled(lease, at, error("stopped")),
            lease -> Transition.retry(lease, at, at.plusSeconds(30), error("again")),
            lease ->
                Transition.failed(lease, at, error("rescued"))
                    .ifLeaseExpiredBefore(T0.plus(Duration.ofDays(1))));

    List<Transition> batch = new ArrayList<>();
    for (int i = 0; i < kinds.size(); i++) {
      assertThat(repository.apply(List.of(kinds.get(i).apply(running.get(i).lease()))))
          .containsExactly(true);
      batch.add(kinds.get(i).apply(running.get(kinds.size() + i).lease()));
    }
    assertThat(repository.apply(batch)).containsOnly(true).hasSize(kinds.size());

    for (int i = 0; i < kinds.size(); i++) {
      StoredJob alone = find(running.get(i).id());
      StoredJob batched = find(running.get(kinds.size() + i).id());
      assertThat(batched)
          .as("transition %d", i)
          .usingRecursiveComparison()
          .ignoringFields("id", "priority", "createdAt", "runAt", "fencingToken")
          .isEqualTo(alone);
      assertThat(history(batched.id()))
          .as("history of transition %d", i)
          .isEqualTo(history(alone.id()));
      assertThat(resultIfAny(batched.id()))
          .as("result of transition %d", i)
          .isEqualTo(resultIfAny(alone.id()));
    }
    assertThat(find(running.get(4).id()).runAt()).isEqualTo(at.plusSeconds(30));
    assertThat(find(running.get(kinds.size() + 4).id()).runAt()).isEqualTo(at.plusSeconds(30));
  }

  @Test
  void applyingNothingAppliesNothing() {
    assertThat(repository.apply(List.of())).isEmpty();
  }

  // ---------------------------------------------------------------------------------------------
  // fencing

  @Test
  void staleOwnerCannotCompleteAfterReclaim() {
    NewJob job = job().build();
    repository.insert(List.of(job));
    StoredJob stale = claimOne(T0);
    // core rescues the expired lease and another node claims the job
    retry(stale, T0.plusSeconds(40), T0.plusSeconds(40));
    StoredJob current =
        repository
            .claim(
                new ClaimRequest(
                    NODE_B, CLAIMABLE_TYPES, 1, T0.plusSeconds(41), T0.plusSeconds(71)))
            .get(0);

    List<Boolean> applied =
        repository.apply(
            List.of(
                Transition.completed(
                    stale.lease(), T0.plusSeconds(42), ReportResult.ofText("late", "text/plain"))));

    assertThat(applied).containsExactly(false);
    assertThat(find(job.id())).isEqualTo(current);
    assertThat(repository.openResult(job.id())).isEmpty();
  }

  @Test
  void staleOwnerCannotRequeueAJobWhileItWaitsForItsRetry() {
    NewJob job = job().build();
    repository.insert(List.of(job));
    StoredJob running = claimOne(T0);
    retry(running, T0.plusSeconds(1), T0.plusSeconds(100));
    StoredJob waiting = find(job.id());

    List<Boolean> applied =
        repository.apply(
            List.of(
                Transition.released(running.lease(), T0.plusSeconds(2)),
                Transition.failed(running.lease(), T0.plusSeconds(2), error("late"))));

    assertThat(applied).containsExactly(false, false);
    assertThat(find(job.id())).isEqualTo(waiting);
  }

  @Test
  void transitionWithAWrongTokenChangesNothing() {
    NewJob job = job().build();
    repository.insert(List.of(job));
    StoredJob running = claimOne(T0);

    List<Boolean> applied =
        repository.apply(
            List.of(
                Transition.failed(
                    new Lease(job.id(), running.fencingToken() - 1), T0.plusSeconds(1), error("x")),
                Transition.failed(
                    new Lease(job.id(), running.fencingToken() + 1),
                    T0.plusSeconds(1),
                    error("y"))));

    assertThat(applied).containsExactly(false, false);
    assertThat(find(job.id())).isEqualTo(running);
  }

  @Test
  void transitionOnAFinishedJobChangesNothing() {
    NewJob job = job().build();
    repository.insert(List.of(job));
    StoredJob running = claimOne(T0);
    repository.apply(
        List.of(Transition.failed(running.lease(), T0.plusSeconds(1), error("first"))));
    StoredJob failed = find(job.id());

    List<Boolean> applied =
        repository.apply(
            List.of(
                Transition.completed(running.lease(), T0.plusSeconds(2), ReportResult.empty()),
                Transition.retry(running.lease(), T0.plusSeconds(2), T0.plusSeconds(3), error("x")),
                Transition.cancelled(running.lease(), T0.plusSeconds(2), null)));

    assertThat(applied).containsExactly(false, false, false);
    assertThat(find(job.id())).isEqualTo(failed);
  }

  @Test
  void completingTwiceAppliesOnlyTheFirst() throws IOException {
    NewJob job = job().build();
    repository.insert(List.of(job));
    StoredJob running = claimOne(T0);
    ReportResult first = ReportResult.ofText("first", "text/plain");
    ReportResult second = ReportResult.ofText("second, longer", "text/csv");

    List<Boolean> firstApplied =
        repository.apply(List.of(Transition.completed(running.lease(), T0.plusSeconds(1), first)));
    List<Boolean> secondApplied =
        repository.apply(List.of(Transition.completed(running.lease(), T0.plusSeconds(2), second)));

    assertThat(firstApplied).containsExactly(true);
    assertThat(secondApplied).containsExactly(false);
    assertThat(find(job.id()).finishedAt()).isEqualTo(T0.plusSeconds(1));
    assertThat(find(job.id()).result().contentType()).isEqualTo("text/plain");
    assertThat(readResult(job.id())).isEqualTo(first.bytes());
  }

  @Test
  void twoTransitionsOfOneJobInOneBatchApplyOnlyTheFirst() {
    NewJob job = job().build();
    repository.insert(List.of(job));
    StoredJob running = claimOne(T0);

    List<Boolean> applied =
        repository.apply(
            List.of(
                Transition.failed(running.lease(), T0.plusSeconds(1), error("first")),
                Transition.completed(running.lease(), T0.plusSeconds(1), ReportResult.empty())));

    assertThat(applied).containsExactly(true, false);
    assertThat(find(job.id()).state()).isEqualTo(JobState.FAILED);
    assertThat(repository.openResult(job.id())).isEmpty();
  }

  @Test
  void transitionOnAQueuedJobChangesNothing() {
    NewJob job = job().build();
    repository.insert(List.of(job));
    StoredJob queued = find(job.id());

    List<Boolean> applied =
        repository.apply(
            List.of(Transition.failed(queued.lease(), T0.plusSeconds(1), error("never ran"))));

    assertThat(applied).containsExactly(false);
    assertThat(find(job.id())).isEqualTo(queued);
  }

  @Test
  void concurrentTransitionsOnOneLeaseApplyExactlyOnce() throws Exception {
    NewJob job = job().build();
    repository.insert(List.of(job));
    StoredJob running = claimOne(T0);
    int threads = concurrentThreads();

    List<List<Boolean>> outcomes =
        runConcurrently(
            threads,
            i -> {
              Instant at = T0.plusSeconds(1 + i);
              Transition transition =
                  i % 2 == 0
                      ? Transition.completed(
                          running.lease(), at, ReportResult.ofText("r" + i, "text/plain"))
                      : Transition.retry(running.lease(), at, at, error("e" + i));
              return repository.apply(List.of(transition));
            });

    assertThat(outcomes).filteredOn(applied -> applied.get(0)).hasSize(1);
    StoredJob after = find(job.id());
    assertThat(after.state()).isIn(JobState.COMPLETED, JobState.REQUESTED);
  }

  // ---------------------------------------------------------------------------------------------
  // leases and heartbeats

  @Test
  void heartbeatExtendsOnlyLeasesWithTheCurrentToken() {
    List<NewJob> jobs = List.of(job().priority(2).build(), job().priority(1).build());
    repository.insert(jobs);
    List<StoredJob> running = claim(NODE_A, 2, T0);
    Lease current = running.get(0).lease();
    Lease stale = new Lease(running.get(1).id(), running.get(1).fencingToken() - 1);
    Instant now = T0.plusSeconds(10);
    Instant expiresAt = now.plus(LEASE);

    HeartbeatResult result =
        repository.extendLeases(
            new LeaseExtension(NODE_A, List.of(current, stale), now, expiresAt));

    assertThat(result.lost()).containsExactly(stale.jobId());
    assertThat(result.cancellationRequested()).isEmpty();
    assertThat(find(current.jobId()).leaseExpiresAt()).isEqualTo(expiresAt);
    assertThat(find(stale.jobId())).isEqualTo(running.get(1));
  }

  @Test
  void heartbeatReportsFinishedRequeuedAndUnknownJobsAsLost() {
    List<NewJob> jobs =
        List.of(job().priority(3).build(), job().priority(2).build(), job().priority(1).build());
    repository.insert(jobs);
    List<StoredJob> running = claim(NODE_A, 3, T0);
    complete(running.get(0), T0.plusSeconds(1));
    retry(running.get(1), T0.plusSeconds(1), T0.plusSeconds(100));
    Lease unknown = new Lease(randomId(), 1);

    HeartbeatResult result =
        repository.extendLeases(
            new LeaseExtension(
                NODE_A,
                List.of(
                    running.get(0).lease(),
                    running.get(1).lease(),
                    running.get(2).lease(),
                    unknown),
                T0.plusSeconds(5),
                T0.plusSeconds(35)));

    assertThat(result.lost())
        .containsExactlyInAnyOrder(running.get(0).id(), running.get(1).id(), unknown.jobId());
    assertThat(find(running.get(0).id()).leaseExpiresAt()).isNull();
    assertThat(find(running.get(1).id()).leaseExpiresAt()).isNull();
    assertThat(find(running.get(2).id()).leaseExpiresAt()).isEqualTo(T0.plusSeconds(35));
  }

  @Test
  void heartbeatReportsCancellationRequestsOfExtendedJobs() {
    List<NewJob> jobs = List.of(job().priority(2).build(), job().priority(1).build());
    repository.insert(jobs);
    List<StoredJob> running = claim(NODE_A, 2, T0);
    assertThat(repository.requestCancellation(running.get(1).id(), T0.plusSeconds(1))).isTrue();

    HeartbeatResult result =
        repository.extendLeases(
            new LeaseExtension(
                NODE_A,
                List.of(running.get(0).lease(), running.get(1).lease()),
                T0.plusSeconds(5),
                T0.plusSeconds(35)));

    assertThat(result.lost()).isEmpty();
    assertThat(result.cancellationRequested()).containsExactly(running.get(1).id());
    assertThat(find(running.get(1).id()).leaseExpiresAt()).isEqualTo(T0.plusSeconds(35));
    assertThat(find(running.get(1).id()).cancellationRequested()).isTrue();
  }

  @Test
  void heartbeatWithoutLeasesFindsNothing() {
    HeartbeatResult result =
        repository.extendLeases(new LeaseExtension(NODE_A, List.of(), T0, T0.plus(LEASE)));

    assertThat(result.lost()).isEmpty();
    assertThat(result.cancellationRequested()).isEmpty();
  }

  @Test
  void findExpiredLeasesReturnsOnlyRunningJobsWhoseLeasePassedOldestFirst() {
    List<NewJob> jobs = IntStream.range(0, 5).mapToObj(i -> job().build()).toList();
    repository.insert(jobs);
    // leases expiring at T0+30, T0+10, T0+20 (expired at T0+25: the last two), T0+25 (exactly now)
    StoredJob late = claimUntil(T0, T0.plusSeconds(30));
    StoredJob oldest = claimUntil(T0, T0.plusSeconds(10));
    StoredJob middle = claimUntil(T0, T0.plusSeconds(20));
    StoredJob boundary = claimUntil(T0, T0.plusSeconds(25));
    StoredJob finished = claimUntil(T0, T0.plusSeconds(5));
    complete(finished, T0.plusSeconds(1));

    List<StoredJob> expired = repository.findExpiredLeases(T0.plusSeconds(25), 10);

    assertThat(expired).extracting(StoredJob::id).containsExactly(oldest.id(), middle.id());
    assertThat(expired.get(0)).isEqualTo(find(oldest.id()));
    assertThat(late.leaseExpiresAt()).isAfter(T0.plusSeconds(25));
    assertThat(boundary.leaseExpiresAt()).isEqualTo(T0.plusSeconds(25));
  }

  @Test
  void findExpiredLeasesHonoursItsLimit() {
    repository.insert(IntStream.range(0, 4).mapToObj(i -> job().build()).toList());
    StoredJob first = claimUntil(T0, T0.plusSeconds(1));
    StoredJob second = claimUntil(T0, T0.plusSeconds(2));
    claimUntil(T0, T0.plusSeconds(3));
    claimUntil(T0, T0.plusSeconds(4));

    List<StoredJob> expired = repository.findExpiredLeases(T0.plusSeconds(60), 2);

    assertThat(expired).extracting(StoredJob::id).containsExactly(first.id(), second.id());
  }

  @Test
  void extendedLeaseIsNoLongerExpired() {
    repository.insert(List.of(job().build(), job().build()));
    StoredJob extended = claimUntil(T0, T0.plusSeconds(30));
    StoredJob neglected = claimUntil(T0, T0.plusSeconds(30));
    repository.extendLeases(
        new LeaseExtension(
            NODE_A, List.of(extended.lease()), T0.plusSeconds(20), T0.plusSeconds(50)));

    List<StoredJob> expired = repository.findExpiredLeases(T0.plusSeconds(40), 10);

    assertThat(expired).extracting(StoredJob::id).containsExactly(neglected.id());
  }

  @Test
  void rescueDoesNotOvertakeAHeartbeatThatRenewedTheLease() {
    repository.insert(List.of(job().build(), job().build()));
    StoredJob renewed = claimUntil(T0, T0.plusSeconds(30));
    StoredJob abandoned = claimUntil(T0, T0.plusSeconds(30));
    Instant rescueTime = T0.plusSeconds(40);
    List<StoredJob> expired = repository.findExpiredLeases(rescueTime, 10);
    assertThat(expired).extracting(StoredJob::id).contains(renewed.id(), abandoned.id());
    // The owner of one job was only slow: its heartbeat lands between the rescuer's read and write.
    repository.extendLeases(
        new LeaseExtension(
            NODE_A, List.of(renewed.lease()), rescueTime, rescueTime.plusSeconds(30)));

    List<Boolean> applied =
        repository.apply(
            List.of(
                Transition.retry(renewed.lease(), rescueTime, rescueTime, error("lease expired"))
                    .ifLeaseExpiredBefore(rescueTime),
                Transition.retry(abandoned.lease(), rescueTime, rescueTime, error("lease expired"))
                    .ifLeaseExpiredBefore(rescueTime)));

    assertThat(applied).containsExactly(false, true);
    assertThat(find(renewed.id()).state()).isEqualTo(JobState.RUNNING);
    assertThat(find(renewed.id()).fencingToken()).isEqualTo(renewed.fencingToken());
    assertThat(find(abandoned.id()).state()).isEqualTo(JobState.REQUESTED);
  }

  @Test
  void findExpiredLeasesIgnoresQueuedJobs() {
    repository.insert(List.of(job().runAt(T0.minusSeconds(600)).build()));

    assertThat(repository.findExpiredLeases(T0.plusSeconds(600), 10)).isEmpty();
  }

  // ---------------------------------------------------------------------------------------------
  // progress

  @Test
  void progressWrittenUnderTheCurrentLeaseIsVisibleThroughFind() {
    NewJob job = job().build();
    repository.insert(List.of(job));
    StoredJob running = claimOne(T0);
    Progress progress = new Progress(42, "reading ledger ✓");

    boolean written =
        repository.updateProgress(new ProgressUpdate(running.lease(), progress, T0.plusSeconds(3)));

    assertThat(written).isTrue();
    StoredJob stored = find(job.id());
    assertThat(stored.progress()).isEqualTo(progress);
    assertThat(stored.updatedAt()).isEqualTo(T0.plusSeconds(3));
    assertThat(stored.state()).isEqualTo(JobState.RUNNING);
    assertThat(stored.leaseExpiresAt()).isEqualTo(running.leaseExpiresAt());
  }

  @Test
  void progressUnderAStaleLeaseIsRejected() {
    NewJob job = job().build();
    repository.insert(List.of(job));
    StoredJob stale = claimOne(T0);
    retry(stale, T0.plusSeconds(1), T0.plusSeconds(1));
    StoredJob current = claimOne(T0.plusSeconds(2));

    boolean written =
        repository.updateProgress(
            new ProgressUpdate(stale.lease(), new Progress(90, "late"), T0.plusSeconds(3)));

    assertThat(written).isFalse();
    assertThat(find(job.id())).isEqualTo(current);
  }

  @Test
  void progressOfAFinishedOrUnknownJobIsRejected() {
    NewJob job = job().build();
    repository.insert(List.of(job));
    StoredJob running = claimOne(T0);
    complete(running, T0.plusSeconds(1));
    StoredJob done = find(job.id());

    assertThat(
            repository.updateProgress(
                new ProgressUpdate(running.lease(), new Progress(50, null), T0.plusSeconds(2))))
        .isFalse();
    assertThat(
            repository.updateProgress(
                new ProgressUpdate(
                    new Lease(randomId(), 1), new Progress(50, null), T0.plusSeconds(2))))
        .isFalse();
    assertThat(find(job.id())).isEqualTo(done);
  }

  // ---------------------------------------------------------------------------------------------
  // cancellation

  @Test
  void cancelQueuedCancelsARequestedJob() {
    NewJob job = job().runAt(T0.plusSeconds(3600)).build();
    repository.insert(List.of(job));
    Instant now = T0.plusSeconds(5);

    boolean cancelled = repository.cancelQueued(job.id(), now);

    assertThat(cancelled).isTrue();
    StoredJob stored = find(job.id());
    assertThat(stored.state()).isEqualTo(JobState.CANCELLED);
    assertThat(stored.finishedAt()).isEqualTo(now);
    assertThat(stored.updatedAt()).isEqualTo(now);
    assertThat(stored.attempt()).isZero();
    assertThat(claim(NODE_A, 10, T0.plusSeconds(7200))).isEmpty();
  }

  @Test
  void cancelQueuedLeavesARunningJobUntouched() {
    NewJob job = job().build();
    repository.insert(List.of(job));
    StoredJob running = claimOne(T0);

    boolean cancelled = repository.cancelQueued(job.id(), T0.plusSeconds(1));

    assertThat(cancelled).isFalse();
    assertThat(find(job.id())).isEqualTo(running);
  }

  @Test
  void cancelQueuedLeavesAFinishedJobUntouched() {
    NewJob job = job().build();
    repository.insert(List.of(job));
    complete(claimOne(T0), T0.plusSeconds(1));
    StoredJob done = find(job.id());

    assertThat(repository.cancelQueued(job.id(), T0.plusSeconds(2))).isFalse();
    assertThat(find(job.id())).isEqualTo(done);
  }

  @Test
  void cancelQueuedTwiceCancelsOnce() {
    NewJob job = job().build();
    repository.insert(List.of(job));

    assertThat(repository.cancelQueued(job.id(), T0.plusSeconds(1))).isTrue();
    assertThat(repository.cancelQueued(job.id(), T0.plusSeconds(2))).isFalse();
    assertThat(find(job.id()).finishedAt()).isEqualTo(T0.plusSeconds(1));
  }

  @Test
  void cancelQueuedOfAJobWaitingForItsRetryCancelsIt() {
    NewJob job = job().build();
    repository.insert(List.of(job));
    retry(claimOne(T0), T0.plusSeconds(1), T0.plusSeconds(60));

    assertThat(repository.cancelQueued(job.id(), T0.plusSeconds(2))).isTrue();
    assertThat(find(job.id()).state()).isEqualTo(JobState.CANCELLED);
    assertThat(claim(NODE_A, 10, T0.plusSeconds(120))).isEmpty();
  }

  @Test
  void cancelOfUnknownJobReturnsFalse() {
    assertThat(repository.cancelQueued(randomId(), T0)).isFalse();
    assertThat(repository.requestCancellation(randomId(), T0)).isFalse();
  }

  @Test
  void requestCancellationFlagsARunningJob() {
    NewJob job = job().build();
    repository.insert(List.of(job));
    StoredJob running = claimOne(T0);

    boolean flagged = repository.requestCancellation(job.id(), T0.plusSeconds(1));

    assertThat(flagged).isTrue();
    StoredJob stored = find(job.id());
    assertThat(stored.cancellationRequested()).isTrue();
    assertThat(stored.state()).isEqualTo(JobState.RUNNING);
    assertThat(stored.fencingToken()).isEqualTo(running.fencingToken());
    assertThat(stored.ownerNode()).isEqualTo(NODE_A);
  }

  @Test
  void requestCancellationOfAQueuedOrFinishedJobReturnsFalseAndChangesNothing() {
    NewJob queued = job().runAt(T0.plusSeconds(3600)).build();
    NewJob finished = job().build();
    repository.insert(List.of(queued, finished));
    complete(claimOne(T0), T0.plusSeconds(1));
    StoredJob queuedBefore = find(queued.id());
    StoredJob finishedBefore = find(finished.id());

    assertThat(repository.requestCancellation(queued.id(), T0.plusSeconds(2))).isFalse();
    assertThat(repository.requestCancellation(finished.id(), T0.plusSeconds(2))).isFalse();
    assertThat(find(queued.id())).isEqualTo(queuedBefore);
    assertThat(find(finished.id())).isEqualTo(finishedBefore);
  }

  @Test
  void cancellationFlagSurvivesARetrySoTheNextClaimSeesIt() {
    NewJob job = job().build();
    repository.insert(List.of(job));
    StoredJob first = claimOne(T0);
    repository.requestCancellation(job.id(), T0.plusSeconds(1));
    retry(first, T0.plusSeconds(2), T0.plusSeconds(2));

    StoredJob second = claimOne(T0.plusSeconds(3));

    assertThat(find(job.id()).cancellationRequested()).isTrue();
    assertThat(second.cancellationRequested()).isTrue();
    HeartbeatResult heartbeat =
        repository.extendLeases(
            new LeaseExtension(
                NODE_A, List.of(second.lease()), T0.plusSeconds(4), T0.plusSeconds(34)));
    assertThat(heartbeat.cancellationRequested()).containsExactly(job.id());
  }

  @Test
  void cancelRacingWithClaimHasExactlyOneWinnerPerJob() throws Exception {
    int jobCount = Math.max(50, hammerJobCount() / 10);
    List<NewJob> jobs = IntStream.range(0, jobCount).mapToObj(i -> job().build()).toList();
    repository.insert(jobs);
    Set<JobId> cancelled = ConcurrentHashMap.newKeySet();
    Set<JobId> claimed = ConcurrentHashMap.newKeySet();

    runConcurrently(
        2,
        i -> {
          if (i == 0) {
            for (NewJob job : jobs) {
              if (repository.cancelQueued(job.id(), T0)) {
                cancelled.add(job.id());
              }
            }
          } else {
            List<StoredJob> batch;
            do {
              batch =
                  repository.claim(
                      new ClaimRequest(NODE_A, CLAIMABLE_TYPES, 3, T0, T0.plus(LEASE)));
              batch.forEach(job -> claimed.add(job.id()));
            } while (!batch.isEmpty());
          }
          return null;
        });

    assertThat(cancelled).filteredOn(claimed::contains).as("both cancelled and claimed").isEmpty();
    assertThat(cancelled.size() + claimed.size()).isEqualTo(jobCount);
    for (NewJob job : jobs) {
      JobState expected = cancelled.contains(job.id()) ? JobState.CANCELLED : JobState.RUNNING;
      assertThat(find(job.id()).state()).isEqualTo(expected);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // results

  @Test
  void openResultOfUnknownJobIsEmpty() {
    assertThat(repository.openResult(randomId())).isEmpty();
  }

  @Test
  void openResultOfAJobThatDidNotCompleteIsEmpty() {
    NewJob queued = job().priority(1).build();
    NewJob running = job().priority(3).build();
    NewJob failed = job().priority(2).build();
    repository.insert(List.of(queued, running, failed));
    claim(NODE_A, 1, T0);
    StoredJob toFail = claimOne(T0);
    repository.apply(List.of(Transition.failed(toFail.lease(), T0.plusSeconds(1), error("x"))));

    assertThat(repository.openResult(queued.id())).isEmpty();
    assertThat(repository.openResult(running.id())).isEmpty();
    assertThat(repository.openResult(failed.id())).isEmpty();
  }

  @Test
  void resultCanBeOpenedMoreThanOnce() throws IOException {
    NewJob job = job().build();
    repository.insert(List.of(job));
    complete(claimOne(T0), T0.plusSeconds(1));

    assertThat(readResult(job.id())).isEqualTo(readResult(job.id()));
  }

  // ---------------------------------------------------------------------------------------------
  // query

  @Test
  void queryFiltersByState() {
    NewJob queued = job().createdAt(T0.plusSeconds(1)).build();
    NewJob running = job().createdAt(T0.plusSeconds(2)).priority(9).build();
    NewJob cancelled = job().createdAt(T0.plusSeconds(3)).build();
    repository.insert(List.of(queued, running, cancelled));
    claim(NODE_A, 1, T0.plusSeconds(10));
    repository.cancelQueued(cancelled.id(), T0.plusSeconds(11));

    assertThat(ids(repository.query(JobQuery.all().inStates(JobState.RUNNING))))
        .containsExactly(running.id());
    assertThat(
            ids(repository.query(JobQuery.all().inStates(JobState.REQUESTED, JobState.CANCELLED))))
        .containsExactly(queued.id(), cancelled.id());
    assertThat(ids(repository.query(JobQuery.all().inStates(JobState.COMPLETED)))).isEmpty();
    assertThat(ids(repository.query(JobQuery.all())))
        .containsExactly(queued.id(), running.id(), cancelled.id());
  }

  @Test
  void queryFiltersByReportTypeAndState() {
    NewJob salesQueued = job().type("sales").createdAt(T0.plusSeconds(1)).build();
    NewJob stockQueued = job().type("stock").createdAt(T0.plusSeconds(2)).build();
    NewJob salesRunning = job().type("sales").createdAt(T0.plusSeconds(3)).priority(9).build();
    repository.insert(List.of(salesQueued, stockQueued, salesRunning));
    claim(NODE_A, 1, T0.plusSeconds(10));

    assertThat(ids(repository.query(JobQuery.all().ofType("sales"))))
        .containsExactly(salesQueued.id(), salesRunning.id());
    assertThat(ids(repository.query(JobQuery.all().ofType("stock"))))
        .containsExactly(stockQueued.id());
    assertThat(ids(repository.query(JobQuery.all().ofType("sales").inStates(JobState.REQUESTED))))
        .containsExactly(salesQueued.id());
    assertThat(ids(repository.query(JobQuery.all().ofType("unknown")))).isEmpty();
  }

  @Test
  void queryReturnsJobsAsStored() {
    NewJob job = job().build();
    repository.insert(List.of(job));
    StoredJob running = claimOne(T0);

    assertThat(repository.query(JobQuery.all())).containsExactly(running);
  }

  @Test
  void pagingThroughEveryFilterListsEachMatchingJobOnceInListingOrder() {
    List<JobId> inserted = jobsInEveryStateAndType();
    List<StoredJob> stored = inserted.stream().map(this::find).toList();
    List<JobQuery> filters =
        List.of(
            JobQuery.all(),
            new JobQuery(Set.of(), null, null, 100),
            new JobQuery(EnumSet.allOf(JobState.class), null, null, 100),
            JobQuery.all().inStates(JobState.REQUESTED),
            JobQuery.all().inStates(JobState.RUNNING),
            JobQuery.all().inStates(JobState.COMPLETED),
            JobQuery.all().inStates(JobState.FAILED),
            JobQuery.all().inStates(JobState.CANCELLED),
            JobQuery.all().inStates(JobState.REQUESTED, JobState.RUNNING),
            JobQuery.all().inStates(JobState.COMPLETED, JobState.FAILED, JobState.CANCELLED),
            JobQuery.all().ofType("sales"),
            JobQuery.all().ofType("sales").inStates(JobState.FAILED),
            JobQuery.all()
                .ofType("stock")
                .inStates(JobState.REQUESTED, JobState.COMPLETED, JobState.CANCELLED),
            JobQuery.all().ofType("unknown"),
            JobQuery.all().ofType("unknown").inStates(JobState.RUNNING));

    for (JobQuery filter : filters) {
      List<JobId> expected =
          stored.stream()
              .filter(job -> filter.matches(job.state(), job.reportType()))
              .sorted(LISTING_ORDER)
              .map(StoredJob::id)
              .toList();
      List<JobId> newestFirst = new ArrayList<>(expected);
      Collections.reverse(newestFirst);
      for (int limit : List.of(1, 4, JobQuery.MAX_LIMIT)) {
        assertThat(pageThrough(filter.limit(limit)))
            .as("%s, %d a page", filter, limit)
            .containsExactlyElementsOf(expected);
        assertThat(pageThrough(filter.limit(limit).newestFirst()))
            .as("%s newest first, %d a page", filter, limit)
            .containsExactlyElementsOf(newestFirst);
      }
    }
    assertThat(pageThrough(JobQuery.all().limit(7))).hasSameSizeAs(inserted);
  }

  @Test
  void jobsCreatedAtTheSameInstantAreListedInIdOrderAcrossPages() {
    List<NewJob> jobs = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      // 25 jobs share T0 + 1 s; the rest are before and after it
      Instant createdAt = i < 25 ? T0.plusSeconds(1) : T0.plusSeconds(i % 2 == 0 ? 0 : 2);
      jobs.add(job().createdAt(createdAt).build());
    }
    repository.insert(jobs);
    List<JobId> expected =
        jobs.stream()
            .sorted(Comparator.comparing(NewJob::createdAt).thenComparing(NewJob::id))
            .map(NewJob::id)
            .toList();

    assertThat(pageThrough(JobQuery.all().limit(3))).containsExactlyElementsOf(expected);
    assertThat(pageThrough(JobQuery.all().inStates(JobState.REQUESTED).limit(4)))
        .containsExactlyElementsOf(expected);
    List<JobId> newestFirst = new ArrayList<>(expected);
    Collections.reverse(newestFirst);
    assertThat(pageThrough(JobQuery.all().newestFirst().limit(3)))
        .containsExactlyElementsOf(newestFirst);
    assertThat(pageThrough(JobQuery.all().inStates(JobState.REQUESTED).limit(4).newestFirst()))
        .containsExactlyElementsOf(newestFirst);
  }

  @Test
  void jobsChangingStateBetweenPagesAreListedOnceWhileTheyMatch() {
    List<NewJob> jobs = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      jobs.add(job().createdAt(T0.plusSeconds(i)).build());
    }
    repository.insert(jobs);
    JobQuery unfinished = JobQuery.all().inStates(JobState.REQUESTED, JobState.RUNNING).limit(3);
    JobQuery everything = JobQuery.all().limit(3);
    List<JobId> listedUnfinished = new ArrayList<>();
    List<JobId> listedEverything = new ArrayList<>();

    List<StoredJob> page = nextPage(unfinished, listedUnfinished);
    List<StoredJob> pageOfAll = nextPage(everything, listedEverything);
    // jobs 0 to 4 start: 3 and 4, not listed yet, move from REQUESTED to RUNNING
    List<StoredJob> running = claim(NODE_A, 5, T0.plusSeconds(20));
    // job 8 leaves the filter before the walk reaches it
    assertThat(repository.cancelQueued(jobs.get(8).id(), T0.plusSeconds(21))).isTrue();
    page = nextPage(unfinished.after(cursorOf(page)), listedUnfinished);
    pageOfAll = nextPage(everything.after(cursorOf(pageOfAll)), listedEverything);
    // jobs 0 to 4, all listed by now, finish and go with job 8
    for (StoredJob job : running) {
      complete(job, T0.plusSeconds(22));
    }
    assertThat(repository.purgeFinished(T0.plusSeconds(23), 100)).isEqualTo(6);
    listedUnfinished.addAll(pageThrough(unfinished.after(cursorOf(page))));
    listedEverything.addAll(pageThrough(everything.after(cursorOf(pageOfAll))));

    List<JobId> ids = jobs.stream().map(NewJob::id).toList();
    List<JobId> everyJobButJob8 =
        List.of(
            ids.get(0),
            ids.get(1),
            ids.get(2),
            ids.get(3),
            ids.get(4),
            ids.get(5),
            ids.get(6),
            ids.get(7),
            ids.get(9),
            ids.get(10),
            ids.get(11));
    assertThat(listedUnfinished).containsExactlyElementsOf(everyJobButJob8);
    assertThat(listedEverything).containsExactlyElementsOf(everyJobButJob8);
  }

  @Test
  void theSameQueryWithAnotherPageSizeReturnsThatManyJobs() {
    // regression: H2 kept the page size first bound inside each state's branch of the statement
    List<NewJob> jobs = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      jobs.add(job().createdAt(T0.plusSeconds(i)).build());
    }
    repository.insert(jobs);

    assertThat(repository.query(JobQuery.all().limit(1))).hasSize(1);
    assertThat(repository.query(JobQuery.all().limit(4))).hasSize(4);
    assertThat(repository.query(JobQuery.all().limit(JobQuery.MAX_LIMIT))).hasSize(6);
  }

  @Test
  void aPageAfterAPurgedJobStartsWithTheJobsCreatedAfterIt() {
    NewJob first = job().createdAt(T0.plusSeconds(1)).priority(1).build();
    NewJob second = job().createdAt(T0.plusSeconds(2)).build();
    NewJob third = job().createdAt(T0.plusSeconds(3)).build();
    repository.insert(List.of(first, second, third));
    JobCursor afterFirst = new JobCursor(first.createdAt(), first.id());
    complete(claimOne(T0.plusSeconds(4)), T0.plusSeconds(5));
    assertThat(repository.purgeFinished(T0.plusSeconds(6), 10)).isEqualTo(1);

    assertThat(ids(repository.query(JobQuery.all().after(afterFirst))))
        .containsExactly(second.id(), third.id());
    assertThat(repository.query(JobQuery.all().after(new JobCursor(third.createdAt(), third.id()))))
        .isEmpty();
  }

  @Test
  void aCursorFinerThanTheStoredInstantsComparesWithTheInstantsAsStored() {
    NewJob early = job().createdAt(T0).build();
    NewJob alsoEarly = job().createdAt(T0).build();
    NewJob late = job().createdAt(T0.plusMillis(1)).build();
    repository.insert(List.of(early, alsoEarly, late));
    JobId lowest = new JobId(new UUID(0, 0));

    assertThat(ids(repository.query(JobQuery.all().after(new JobCursor(T0.plusNanos(1), lowest)))))
        .containsExactly(late.id());
    assertThat(ids(repository.query(JobQuery.all().after(new JobCursor(T0, lowest)))))
        .containsExactlyInAnyOrder(early.id(), alsoEarly.id(), late.id());
    assertThat(ids(repository.query(JobQuery.all().after(new JobCursor(T0.minusNanos(1), lowest)))))
        .hasSize(3);

    JobId highest = new JobId(new UUID(-1L, -2L));
    JobQuery newestFirst = JobQuery.all().newestFirst();
    assertThat(ids(repository.query(newestFirst.after(new JobCursor(T0.plusNanos(1), highest)))))
        .containsExactlyInAnyOrder(early.id(), alsoEarly.id());
    assertThat(ids(repository.query(newestFirst.after(new JobCursor(T0, highest)))))
        .containsExactlyInAnyOrder(early.id(), alsoEarly.id());
    assertThat(ids(repository.query(newestFirst.after(new JobCursor(T0, lowest))))).isEmpty();
    assertThat(ids(repository.query(newestFirst.after(new JobCursor(T0.minusNanos(1), highest)))))
        .isEmpty();
    assertThat(ids(repository.query(newestFirst.after(new JobCursor(T0.plusMillis(2), lowest)))))
        .hasSize(3)
        .startsWith(late.id());
  }

  /**
   * 60 jobs of three types in every state, five to a creation instant, inserted out of creation
   * order: 20 stay REQUESTED (3 of them then CANCELLED), 40 are claimed, of which 16 complete, 8
   * fail, 8 are cancelled and 8 keep running.
   */
  private List<JobId> jobsInEveryStateAndType() {
    List<String> types = List.of("sales", "stock", "other");
    List<NewJob> jobs = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      jobs.add(
          job()
              .type(types.get(i % 3))
              .priority(i % 4)
              .createdAt(T0.plusSeconds((i * 7) % 12))
              .build());
    }
    repository.insert(jobs);
    Instant at = T0.plusSeconds(100);
    List<StoredJob> claimed = claim(NODE_A, 40, at);
    assertThat(claimed).hasSize(40);
    List<Transition> outcomes = new ArrayList<>();
    for (int i = 0; i < claimed.size(); i++) {
      Lease lease = claimed.get(i).lease();
      switch (i % 5) {
        case 0, 1 -> outcomes.add(Transition.completed(lease, at, ReportResult.empty()));
        case 2 -> outcomes.add(Transition.failed(lease, at, error("boom")));
        case 3 -> outcomes.add(Transition.cancelled(lease, at, null));
        default -> {
          // stays RUNNING
        }
      }
    }
    assertThat(repository.apply(outcomes)).containsOnly(true);
    List<StoredJob> queued = repository.query(JobQuery.all().inStates(JobState.REQUESTED));
    assertThat(queued).hasSize(20);
    for (StoredJob job : queued.subList(0, 3)) {
      assertThat(repository.cancelQueued(job.id(), at)).isTrue();
    }
    return jobs.stream().map(NewJob::id).toList();
  }

  /** Every job {@code first} and the pages after it list, checking each page's size. */
  private List<JobId> pageThrough(JobQuery first) {
    List<JobId> listed = new ArrayList<>();
    JobQuery query = first;
    for (int pages = 0; pages <= 1_000; pages++) {
      List<StoredJob> page = nextPage(query, listed);
      if (page.size() < first.limit()) {
        return listed;
      }
      query = query.after(cursorOf(page));
    }
    throw new AssertionError("paging through " + first + " did not end");
  }

  private List<StoredJob> nextPage(JobQuery query, List<JobId> listed) {
    List<StoredJob> page = repository.query(query);
    assertThat(page).as("page of %s", query).hasSizeLessThanOrEqualTo(query.limit());
    listed.addAll(ids(page));
    return page;
  }

  private static JobCursor cursorOf(List<StoredJob> page) {
    StoredJob last = page.get(page.size() - 1);
    return new JobCursor(last.createdAt(), last.id());
  }

  // ---------------------------------------------------------------------------------------------
  // purge

  @Test
  void purgeDeletesOnlyTerminalJobsFinishedBeforeTheCutoff() {
    NewJob oldCompleted = job().priority(4).build();
    NewJob oldFailed = job().priority(3).build();
    NewJob recentCompleted = job().priority(2).build();
    NewJob oldCancelled = job().runAt(T0.plusSeconds(3600)).build();
    NewJob queued = job().runAt(T0.plusSeconds(3600)).createdAt(T0.minusSeconds(86_400)).build();
    NewJob running = job().priority(1).createdAt(T0.minusSeconds(86_400)).build();
    repository.insert(
        List.of(oldCompleted, oldFailed, recentCompleted, oldCancelled, queued, running));
    Map<JobId, StoredJob> claimed = byId(claim(NODE_A, 4, T0));
    assertThat(claimed)
        .containsOnlyKeys(oldCompleted.id(), oldFailed.id(), recentCompleted.id(), running.id());
    complete(claimed.get(oldCompleted.id()), T0.plusSeconds(10));
    repository.apply(
        List.of(
            Transition.failed(
                claimed.get(oldFailed.id()).lease(), T0.plusSeconds(20), error("x"))));
    complete(claimed.get(recentCompleted.id()), T0.plusSeconds(100));
    repository.cancelQueued(oldCancelled.id(), T0.plusSeconds(30));
    Instant cutoff = T0.plusSeconds(100);

    int purged = repository.purgeFinished(cutoff, 100);

    assertThat(purged).isEqualTo(3);
    assertThat(repository.find(oldCompleted.id())).isEmpty();
    assertThat(repository.find(oldFailed.id())).isEmpty();
    assertThat(repository.find(oldCancelled.id())).isEmpty();
    assertThat(all())
        .extracting(StoredJob::id)
        .containsExactlyInAnyOrder(recentCompleted.id(), queued.id(), running.id());
    assertThat(repository.purgeFinished(cutoff, 100)).isZero();
  }

  @Test
  void purgeDeletesAtMostTheLimitPerCall() {
    List<NewJob> jobs = IntStream.range(0, 5).mapToObj(i -> job().build()).toList();
    repository.insert(jobs);
    for (StoredJob running : claim(NODE_A, 5, T0)) {
      complete(running, T0.plusSeconds(1));
    }

    assertThat(repository.purgeFinished(T0.plusSeconds(2), 2)).isEqualTo(2);
    assertThat(all()).hasSize(3);
    assertThat(repository.purgeFinished(T0.plusSeconds(2), 2)).isEqualTo(2);
    assertThat(repository.purgeFinished(T0.plusSeconds(2), 2)).isEqualTo(1);
    assertThat(repository.purgeFinished(T0.plusSeconds(2), 2)).isZero();
    assertThat(all()).isEmpty();
  }

  @Test
  void purgeDeletesResultsToo() {
    NewJob job = job().build();
    repository.insert(List.of(job));
    complete(claimOne(T0), T0.plusSeconds(1));

    repository.purgeFinished(T0.plusSeconds(2), 10);

    assertThat(repository.openResult(job.id())).isEmpty();
    assertThat(repository.find(job.id())).isEmpty();
  }

  @Test
  void purgeNeverTouchesQueuedOrRunningJobs() {
    NewJob queued = job().runAt(T0.plusSeconds(3600)).createdAt(T0.minusSeconds(10_000)).build();
    NewJob running =
        job().runAt(T0.minusSeconds(10_000)).createdAt(T0.minusSeconds(10_000)).build();
    repository.insert(List.of(queued, running));
    StoredJob claimed = claimOne(T0);
    retry(claimed, T0.plusSeconds(1), T0.plusSeconds(1));
    claimOne(T0.plusSeconds(2));

    assertThat(repository.purgeFinished(T0.plusSeconds(1_000_000), 100)).isZero();
    assertThat(all()).hasSize(2);
  }

  @Test
  void purgedJobFreesItsIdempotencyKey() {
    NewJob first = job().idempotencyKey("monthly").build();
    repository.insert(List.of(first));
    complete(claimOne(T0), T0.plusSeconds(1));
    repository.purgeFinished(T0.plusSeconds(2), 10);
    NewJob second = job().idempotencyKey("monthly").build();

    assertThat(repository.insert(List.of(second)))
        .containsExactly(new InsertResult(second.id(), true));
  }

  // ---------------------------------------------------------------------------------------------
  // states

  @Test
  void statesNameTheStateOfEachStoredJobAndLeaveUnknownAndPurgedIdsOut() {
    NewJob running = job().priority(5).build();
    NewJob completed = job().priority(4).build();
    NewJob failed = job().priority(3).build();
    NewJob waitingForRetry = job().priority(2).build();
    NewJob purged = job().priority(1).build();
    NewJob queued = job().runAt(T0.plusSeconds(3600)).build();
    NewJob cancelled = job().runAt(T0.plusSeconds(3600)).build();
    repository.insert(
        List.of(running, completed, failed, waitingForRetry, purged, queued, cancelled));
    Map<JobId, StoredJob> claimed = byId(claim(NODE_A, 5, T0));
    assertThat(claimed)
        .containsOnlyKeys(
            running.id(), completed.id(), failed.id(), waitingForRetry.id(), purged.id());
    complete(claimed.get(purged.id()), T0.plusSeconds(1));
    assertThat(repository.purgeFinished(T0.plusSeconds(5), 10)).isEqualTo(1);
    complete(claimed.get(completed.id()), T0.plusSeconds(10));
    assertThat(
            repository.apply(
                List.of(
                    Transition.failed(
                        claimed.get(failed.id()).lease(), T0.plusSeconds(10), error("x")))))
        .containsExactly(true);
    retry(claimed.get(waitingForRetry.id()), T0.plusSeconds(10), T0.plusSeconds(600));
    assertThat(repository.cancelQueued(cancelled.id(), T0.plusSeconds(10))).isTrue();
    JobId unknown = randomId();

    Map<JobId, JobState> states =
        repository.states(
            List.of(
                unknown,
                running.id(),
                completed.id(),
                failed.id(),
                waitingForRetry.id(),
                purged.id(),
                queued.id(),
                cancelled.id(),
                running.id()));

    assertThat(states)
        .containsOnly(
            Map.entry(running.id(), JobState.RUNNING),
            Map.entry(completed.id(), JobState.COMPLETED),
            Map.entry(failed.id(), JobState.FAILED),
            Map.entry(waitingForRetry.id(), JobState.REQUESTED),
            Map.entry(queued.id(), JobState.REQUESTED),
            Map.entry(cancelled.id(), JobState.CANCELLED));
  }

  @Test
  void statesOfNoIdsOrOnlyUnknownIdsAreEmpty() {
    repository.insert(List.of(job().build()));

    assertThat(repository.states(List.of())).isEmpty();
    assertThat(repository.states(Set.of(randomId(), randomId()))).isEmpty();
  }

  @Test
  void statesAnswerAsManyIdsAsCorePassesInOneCall() {
    int stored = JobRepository.MAX_IDS_PER_STATES_CALL / 2;
    List<NewJob> jobs = IntStream.range(0, stored).mapToObj(i -> job().build()).toList();
    repository.insert(jobs);
    List<JobId> ids = new ArrayList<>(newIds(jobs));
    while (ids.size() < JobRepository.MAX_IDS_PER_STATES_CALL) {
      ids.add(randomId());
    }
    Collections.shuffle(ids, new Random(42));

    Map<JobId, JobState> states = repository.states(ids);

    assertThat(states).containsOnlyKeys(newIds(jobs));
    assertThat(states.values()).containsOnly(JobState.REQUESTED);
  }

  // ---------------------------------------------------------------------------------------------
  // history

  @Test
  void aNewJobsHistoryIsItsSubmission() {
    NewJob job = job().createdAt(T0.minusSeconds(5)).build();
    repository.insert(List.of(job));

    assertThat(history(job.id()))
        .containsExactly(
            new JobHistoryEntry(null, JobState.REQUESTED, T0.minusSeconds(5), 0, null, null, null));
  }

  @Test
  void historyOfAnUnknownJobIsEmpty() {
    assertThat(repository.history(randomId())).isEmpty();
  }

  @Test
  void historyRecordsEveryTransitionOfARetriedJobOldestFirst() {
    NewJob job = job().build();
    repository.insert(List.of(job));
    StoredJob first = claimOne(T0);
    JobError failure =
        new JobError("java.io.UncheckedIOException", "warehouse \"east\"\nunreachable", "trace");
    repository.apply(
        List.of(Transition.retry(first.lease(), T0.plusSeconds(1), T0.plusSeconds(2), failure)));
    StoredJob second =
        repository
            .claim(
                new ClaimRequest(NODE_B, CLAIMABLE_TYPES, 1, T0.plusSeconds(2), T0.plusSeconds(60)))
            .get(0);
    complete(second, T0.plusSeconds(3));

    assertThat(history(job.id()))
        .containsExactly(
            new JobHistoryEntry(null, JobState.REQUESTED, T0, 0, null, null, null),
            new JobHistoryEntry(JobState.REQUESTED, JobState.RUNNING, T0, 1, NODE_A, null, null),
            new JobHistoryEntry(
                JobState.RUNNING,
                JobState.REQUESTED,
                T0.plusSeconds(1),
                1,
                NODE_A,
                "java.io.UncheckedIOException",
                "warehouse \"east\"\nunreachable"),
            new JobHistoryEntry(
                JobState.REQUESTED, JobState.RUNNING, T0.plusSeconds(2), 2, NODE_B, null, null),
            new JobHistoryEntry(
                JobState.RUNNING, JobState.COMPLETED, T0.plusSeconds(3), 2, NODE_B, null, null));
  }

  @Test
  void historyRecordsAFailureACancelAndARelease() {
    NewJob failing = job().build();
    NewJob cancelled = job().build();
    NewJob released = job().build();
    NewJob queued = job().runAt(T0.plusSeconds(3600)).build();
    repository.insert(List.of(failing, cancelled, released, queued));
    Map<JobId, StoredJob> running = byId(claim(NODE_A, 3, T0));
    JobError cause = new JobError("org.example.Refused", null, "trace");

    repository.apply(
        List.of(
            Transition.failed(running.get(failing.id()).lease(), T0.plusSeconds(1), error("no")),
            Transition.cancelled(running.get(cancelled.id()).lease(), T0.plusSeconds(1), cause),
            Transition.released(running.get(released.id()).lease(), T0.plusSeconds(1))));
    repository.cancelQueued(queued.id(), T0.plusSeconds(2));

    assertThat(last(failing.id()))
        .isEqualTo(
            new JobHistoryEntry(
                JobState.RUNNING,
                JobState.FAILED,
                T0.plusSeconds(1),
                1,
                NODE_A,
                "java.lang.RuntimeException",
                "no"));
    assertThat(last(cancelled.id()))
        .isEqualTo(
            new JobHistoryEntry(
                JobState.RUNNING,
                JobState.CANCELLED,
                T0.plusSeconds(1),
                1,
                NODE_A,
                "org.example.Refused",
                null));
    assertThat(last(released.id()))
        .as("a release refunds the attempt")
        .isEqualTo(
            new JobHistoryEntry(
                JobState.RUNNING, JobState.REQUESTED, T0.plusSeconds(1), 0, NODE_A, null, null));
    assertThat(history(queued.id()))
        .containsExactly(
            new JobHistoryEntry(null, JobState.REQUESTED, T0, 0, null, null, null),
            new JobHistoryEntry(
                JobState.REQUESTED, JobState.CANCELLED, T0.plusSeconds(2), 0, null, null, null));
  }

  @Test
  void aTransitionThatLostItsFenceLeavesNoHistory() {
    NewJob job = job().build();
    repository.insert(List.of(job));
    StoredJob stale = claimOne(T0);
    retry(stale, T0.plusSeconds(40), T0.plusSeconds(40));
    StoredJob current = claim(NODE_B, 1, T0.plusSeconds(41)).get(0);
    List<JobHistoryEntry> before = history(job.id());

    List<Boolean> applied =
        repository.apply(
            List.of(
                Transition.completed(
                    stale.lease(), T0.plusSeconds(42), ReportResult.ofText("late", "text/plain")),
                Transition.failed(stale.lease(), T0.plusSeconds(42), error("late"))));
    boolean cancelledWhileRunning = repository.cancelQueued(job.id(), T0.plusSeconds(43));
    boolean requeuedWhileRunning = repository.requeue(job.id(), T0.plusSeconds(43));

    assertThat(applied).containsExactly(false, false);
    assertThat(cancelledWhileRunning).isFalse();
    assertThat(requeuedWhileRunning).isFalse();
    assertThat(history(job.id())).isEqualTo(before).hasSize(4);
    assertThat(find(job.id())).isEqualTo(current);
  }

  @Test
  void aRescueThatAHeartbeatOvertookLeavesNoHistory() {
    NewJob job = job().build();
    repository.insert(List.of(job));
    StoredJob running = claimUntil(T0, T0.plusSeconds(30));
    repository.extendLeases(
        new LeaseExtension(
            NODE_A, List.of(running.lease()), T0.plusSeconds(10), T0.plusSeconds(90)));

    List<Boolean> applied =
        repository.apply(
            List.of(
                Transition.failed(running.lease(), T0.plusSeconds(40), error("lease expired"))
                    .ifLeaseExpiredBefore(T0.plusSeconds(40))));

    assertThat(applied).containsExactly(false);
    assertThat(history(job.id())).hasSize(2);
  }

  @Test
  void aLongErrorMessageIsShortenedInTheHistoryButKeptWholeAsTheLastError() {
    NewJob job = job().build();
    repository.insert(List.of(job));
    StoredJob running = claimOne(T0);
    String message = "x".repeat(JobHistoryEntry.MAX_ERROR_MESSAGE_LENGTH - 1) + "\uD83D\uDE00tail";
    JobError error = new JobError("java.lang.IllegalStateException", message, "trace");

    repository.apply(List.of(Transition.failed(running.lease(), T0.plusSeconds(1), error)));

    assertThat(last(job.id()).errorMessage())
        .isEqualTo("x".repeat(JobHistoryEntry.MAX_ERROR_MESSAGE_LENGTH - 1));
    assertThat(find(job.id()).lastError()).isEqualTo(error);
  }

  @Test
  void purgeTakesTheHistoryWithItsJob() {
    NewJob job = job().build();
    repository.insert(List.of(job));
    complete(claimOne(T0), T0.plusSeconds(1));

    repository.purgeFinished(T0.plusSeconds(2), 10);

    assertThat(repository.history(job.id())).isEmpty();
  }

  // ---------------------------------------------------------------------------------------------
  // an operator's retry

  @Test
  void requeueTakesAFailedJobBackToRequestedWithAFreshBudget() {
    NewJob job = job().build();
    repository.insert(List.of(job));
    StoredJob running = claimOne(T0);
    repository.apply(
        List.of(Transition.failed(running.lease(), T0.plusSeconds(1), error("broken"))));
    Instant retryAt = T0.plusSeconds(100);

    assertThat(repository.requeue(job.id(), retryAt)).isTrue();

    StoredJob requeued = find(job.id());
    assertThat(requeued.state()).isEqualTo(JobState.REQUESTED);
    assertThat(requeued.attempt()).isZero();
    assertThat(requeued.runAt()).isEqualTo(retryAt);
    assertThat(requeued.updatedAt()).isEqualTo(retryAt);
    assertThat(requeued.finishedAt()).isNull();
    assertThat(requeued.progress()).isEqualTo(Progress.NONE);
    assertThat(requeued.lastError()).isEqualTo(error("broken"));
    assertThat(requeued.fencingToken()).isEqualTo(running.fencingToken());
    assertThat(last(job.id()))
        .isEqualTo(
            new JobHistoryEntry(JobState.FAILED, JobState.REQUESTED, retryAt, 0, null, null, null));
    StoredJob again = claimOne(retryAt);
    assertThat(again.attempt()).isEqualTo(1);
    assertThat(again.fencingToken()).isGreaterThan(running.fencingToken());
    assertThat(repository.purgeFinished(retryAt.plusSeconds(1_000_000), 10)).isZero();
  }

  @Test
  void requeueTakesACancelledJobBackToRequested() {
    NewJob job = job().build();
    repository.insert(List.of(job));
    repository.cancelQueued(job.id(), T0.plusSeconds(1));

    assertThat(repository.requeue(job.id(), T0.plusSeconds(2))).isTrue();

    assertThat(find(job.id()).state()).isEqualTo(JobState.REQUESTED);
    assertThat(find(job.id()).cancellationRequested()).isFalse();
    assertThat(last(job.id()).from()).isEqualTo(JobState.CANCELLED);
    assertThat(claimOne(T0.plusSeconds(2)).id()).isEqualTo(job.id());
  }

  @Test
  void requeueLeavesCompletedQueuedRunningAndUnknownJobsUntouched() {
    NewJob completed = job().build();
    NewJob queued = job().runAt(T0.plusSeconds(3600)).build();
    NewJob running = job().build();
    repository.insert(List.of(completed, queued, running));
    complete(claimOne(T0), T0.plusSeconds(1));
    StoredJob claimed = claimOne(T0.plusSeconds(2));
    Map<JobId, StoredJob> before = byId(all());

    assertThat(repository.requeue(completed.id(), T0.plusSeconds(3))).isFalse();
    assertThat(repository.requeue(queued.id(), T0.plusSeconds(3))).isFalse();
    assertThat(repository.requeue(claimed.id(), T0.plusSeconds(3))).isFalse();
    assertThat(repository.requeue(randomId(), T0.plusSeconds(3))).isFalse();

    assertThat(byId(all())).isEqualTo(before);
  }

  @Test
  void concurrentRequeuesOfOneFailureMoveTheJobOnce() throws Exception {
    NewJob job = job().build();
    repository.insert(List.of(job));
    StoredJob running = claimOne(T0);
    repository.apply(List.of(Transition.failed(running.lease(), T0.plusSeconds(1), error("x"))));

    List<Boolean> results =
        runConcurrently(concurrentThreads(), i -> repository.requeue(job.id(), T0.plusSeconds(2)));

    assertThat(results).containsOnlyOnce(true);
    assertThat(history(job.id()).stream().filter(e -> e.from() == JobState.FAILED)).hasSize(1);
  }

  protected final List<JobHistoryEntry> history(JobId id) {
    Optional<List<JobHistoryEntry>> history = repository.history(id);
    assertThat(history).as("history of job %s", id).isPresent();
    return history.orElseThrow();
  }

  private JobHistoryEntry last(JobId id) {
    List<JobHistoryEntry> history = history(id);
    assertThat(history).isNotEmpty();
    return history.get(history.size() - 1);
  }

  // ---------------------------------------------------------------------------------------------
  // statistics

  @Test
  void statisticsOfAnEmptyStoreAreEmpty() {
    assertThat(repository.statistics(T0)).isEqualTo(JobStatistics.EMPTY);
  }

  @Test
  void statisticsCountTheJobsOfEachTypeInEachState() {
    jobsForStatistics();

    JobStatistics statistics = repository.statistics(T0);

    assertThat(statistics.byType()).containsOnlyKeys("sales", "stock");
    TypeStatistics sales = statistics.byType().get("sales");
    assertThat(sales.counts())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                JobState.REQUESTED, 5L,
                JobState.RUNNING, 1L,
                JobState.COMPLETED, 2L,
                JobState.FAILED, 1L,
                JobState.CANCELLED, 1L));
    assertThat(sales.total()).isEqualTo(10);
    TypeStatistics stock = statistics.byType().get("stock");
    assertThat(stock.counts())
        .containsExactlyInAnyOrderEntriesOf(Map.of(JobState.REQUESTED, 2L, JobState.COMPLETED, 1L));
  }

  @Test
  void statisticsCountOnlyJobsDueAtNowAndNameTheOldestDueRunAt() {
    jobsForStatistics();

    JobStatistics atT0 = repository.statistics(T0);
    JobStatistics later = repository.statistics(T0.plusSeconds(60));

    // a job due exactly at now is due; one due a moment later is not
    assertThat(atT0.byType().get("sales").due()).isEqualTo(3);
    assertThat(atT0.byType().get("sales").oldestDueRunAt()).isEqualTo(T0.minusSeconds(10));
    assertThat(atT0.byType().get("stock").due()).isZero();
    assertThat(atT0.byType().get("stock").oldestDueRunAt()).isNull();
    assertThat(later.byType().get("sales").due()).isEqualTo(5);
    assertThat(later.byType().get("sales").oldestDueRunAt()).isEqualTo(T0.minusSeconds(10));
    // the retried job counts from its new run_at, not its first one
    assertThat(later.byType().get("stock").due()).isEqualTo(2);
    assertThat(later.byType().get("stock").oldestDueRunAt()).isEqualTo(T0.plusSeconds(30));
  }

  @Test
  void statisticsLeaveRunningAndFinishedJobsOutOfTheDueFigures() {
    NewJob job = job().type("stock").runAt(T0.minusSeconds(100)).build();
    repository.insert(List.of(job));
    StoredJob running = claimOne(T0);

    assertThat(repository.statistics(T0).byType().get("stock"))
        .isEqualTo(new TypeStatistics(Map.of(JobState.RUNNING, 1L), 0, null));

    complete(running, T0.plusSeconds(1));

    assertThat(repository.statistics(T0.plusSeconds(2)).byType().get("stock"))
        .isEqualTo(new TypeStatistics(Map.of(JobState.COMPLETED, 1L), 0, null));
  }

  /**
   * For the statistics tests: {@code sales} has 5 REQUESTED (due at T0-10s, T0-5s, T0, and two at
   * T0+60s), 1 RUNNING, 2 COMPLETED, 1 FAILED, 1 CANCELLED; {@code stock} has 2 REQUESTED (one
   * retried to T0+30s, one due at T0+60s) and 1 COMPLETED.
   */
  private void jobsForStatistics() {
    Instant early = T0.minusSeconds(100);
    List<NewJob> claimed =
        List.of(
            job().type("sales").priority(9).runAt(early).build(),
            job().type("sales").priority(9).runAt(early).build(),
            job().type("sales").priority(9).runAt(early).build(),
            job().type("sales").priority(9).runAt(early).build(),
            job().type("stock").priority(9).runAt(early).build(),
            job().type("stock").priority(9).runAt(early).build());
    NewJob cancelled = job().type("sales").runAt(T0.plusSeconds(600)).build();
    List<NewJob> queued =
        List.of(
            job().type("sales").runAt(T0.minusSeconds(10)).build(),
            job().type("sales").runAt(T0.minusSeconds(5)).build(),
            job().type("sales").runAt(T0).build(),
            job().type("sales").runAt(T0.plusSeconds(60)).build(),
            job().type("sales").runAt(T0.plusSeconds(60)).build(),
            job().type("stock").runAt(T0.plusSeconds(60)).build(),
            cancelled);
    repository.insert(claimed);
    repository.insert(queued);
    Map<JobId, StoredJob> running = byId(claim(NODE_A, claimed.size(), early));
    assertThat(running).containsOnlyKeys(newIds(claimed));
    Instant at = early.plusSeconds(1);
    assertThat(
            repository.apply(
                List.of(
                    Transition.completed(
                        running.get(claimed.get(0).id()).lease(), at, ReportResult.empty()),
                    Transition.completed(
                        running.get(claimed.get(1).id()).lease(), at, ReportResult.empty()),
                    Transition.failed(running.get(claimed.get(2).id()).lease(), at, error("x")),
                    Transition.completed(
                        running.get(claimed.get(4).id()).lease(), at, ReportResult.empty()),
                    Transition.retry(
                        running.get(claimed.get(5).id()).lease(),
                        at,
                        T0.plusSeconds(30),
                        error("again")))))
        .containsOnly(true);
    assertThat(repository.cancelQueued(cancelled.id(), at)).isTrue();
  }

  // ---------------------------------------------------------------------------------------------
  // helpers

  /** A new job draft with defaults: due at {@link #T0}, created at {@link #T0}, priority 0. */
  protected static NewJobDraft job() {
    return new NewJobDraft();
  }

  protected static JobId randomId() {
    return new JobId(UUID.randomUUID());
  }

  protected static JobError error(String message) {
    return new JobError(
        "java.lang.RuntimeException", message, "java.lang.RuntimeException: " + message);
  }

  protected final StoredJob find(JobId id) {
    Optional<StoredJob> found = repository.find(id);
    assertThat(found).as("job %s", id).isPresent();
    return found.orElseThrow();
  }

  protected final List<StoredJob> all() {
    return repository.query(JobQuery.all().limit(JobQuery.MAX_LIMIT));
  }

  protected final List<StoredJob> claim(String node, int limit, Instant now) {
    return repository.claim(new ClaimRequest(node, CLAIMABLE_TYPES, limit, now, now.plus(LEASE)));
  }

  /** Claims exactly one job at {@code now} for {@link #NODE_A}. */
  protected final StoredJob claimOne(Instant now) {
    List<StoredJob> claimed = claim(NODE_A, 1, now);
    assertThat(claimed).as("claimed at %s", now).hasSize(1);
    return claimed.get(0);
  }

  private StoredJob claimUntil(Instant now, Instant leaseExpiresAt) {
    List<StoredJob> claimed =
        repository.claim(new ClaimRequest(NODE_A, CLAIMABLE_TYPES, 1, now, leaseExpiresAt));
    assertThat(claimed).hasSize(1);
    return claimed.get(0);
  }

  protected final void complete(StoredJob running, Instant at) {
    List<Boolean> applied =
        repository.apply(
            List.of(
                Transition.completed(
                    running.lease(), at, ReportResult.ofText("done", "text/plain"))));
    assertThat(applied).containsExactly(true);
  }

  protected final void retry(StoredJob running, Instant at, Instant nextRunAt) {
    List<Boolean> applied =
        repository.apply(
            List.of(Transition.retry(running.lease(), at, nextRunAt, error("retry me"))));
    assertThat(applied).containsExactly(true);
  }

  private byte @Nullable [] resultIfAny(JobId id) throws IOException {
    Optional<InputStream> stream = repository.openResult(id);
    if (stream.isEmpty()) {
      return null;
    }
    try (InputStream in = stream.orElseThrow()) {
      return in.readAllBytes();
    }
  }

  protected final byte[] readResult(JobId id) throws IOException {
    Optional<InputStream> stream = repository.openResult(id);
    assertThat(stream).as("result of %s", id).isPresent();
    try (InputStream in = stream.orElseThrow()) {
      return in.readAllBytes();
    }
  }

  private static Map<JobId, StoredJob> byId(List<StoredJob> jobs) {
    Map<JobId, StoredJob> map = new LinkedHashMap<>();
    jobs.forEach(job -> map.put(job.id(), job));
    assertThat(map).as("distinct jobs").hasSameSizeAs(jobs);
    return map;
  }

  private static List<JobId> newIds(List<NewJob> jobs) {
    return jobs.stream().map(NewJob::id).toList();
  }

  private static List<JobId> ids(Collection<StoredJob> jobs) {
    return jobs.stream().map(StoredJob::id).toList();
  }

  /** One task of a concurrency test, given its index. */
  @FunctionalInterface
  protected interface IndexedTask<T> {
    T run(int index) throws Exception;
  }

  /**
   * Runs {@code tasks} tasks on as many threads, released together by one start gate, and returns
   * their results in index order. Fails if any task throws or the run exceeds {@link
   * #concurrencyTimeout()}.
   */
  protected final <T> List<T> runConcurrently(int tasks, IndexedTask<T> task) throws Exception {
    ExecutorService executor = Executors.newFixedThreadPool(tasks);
    try {
      CountDownLatch ready = new CountDownLatch(tasks);
      CountDownLatch start = new CountDownLatch(1);
      List<Future<T>> futures = new ArrayList<>();
      for (int i = 0; i < tasks; i++) {
        int index = i;
        Callable<T> callable =
            () -> {
              ready.countDown();
              start.await();
              return task.run(index);
            };
        futures.add(executor.submit(callable));
      }
      long timeoutMillis = concurrencyTimeout().toMillis();
      assertThat(ready.await(timeoutMillis, TimeUnit.MILLISECONDS))
          .as("all threads ready")
          .isTrue();
      start.countDown();
      List<T> results = new ArrayList<>();
      for (Future<T> future : futures) {
        results.add(await(future, timeoutMillis));
      }
      return results;
    } finally {
      executor.shutdownNow();
    }
  }

  private static <T> T await(Future<T> future, long timeoutMillis) throws Exception {
    try {
      return future.get(timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    } catch (TimeoutException e) {
      throw new AssertionError("concurrent task did not finish in time", e);
    }
  }

  /** A mutable recipe for a {@link NewJob}; each call of {@link #job()} gets a new id. */
  protected static final class NewJobDraft {
    private final JobId id = randomId();
    private String type = DEFAULT_TYPE;
    private Map<String, String> parameters = Map.of("region", "EMEA");
    private @Nullable String idempotencyKey;
    private int priority;
    private Instant runAt = T0;
    private int maxAttempts = 3;
    private Duration timeout = Duration.ofMinutes(5);
    private Instant createdAt = T0;

    public NewJobDraft type(String value) {
      type = value;
      return this;
    }

    public NewJobDraft parameters(Map<String, String> value) {
      parameters = value;
      return this;
    }

    public NewJobDraft idempotencyKey(@Nullable String value) {
      idempotencyKey = value;
      return this;
    }

    public NewJobDraft priority(int value) {
      priority = value;
      return this;
    }

    public NewJobDraft runAt(Instant value) {
      runAt = value;
      return this;
    }

    public NewJobDraft maxAttempts(int value) {
      maxAttempts = value;
      return this;
    }

    public NewJobDraft timeout(Duration value) {
      timeout = value;
      return this;
    }

    public NewJobDraft createdAt(Instant value) {
      createdAt = value;
      return this;
    }

    public NewJob build() {
      return new NewJob(
          id, type, parameters, idempotencyKey, priority, runAt, maxAttempts, timeout, createdAt);
    }
  }
}

package org.reportorchestrator.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import org.jspecify.annotations.Nullable;
import org.reportorchestrator.QueueStatistics;
import org.reportorchestrator.StorageException;
import org.reportorchestrator.spi.JobRepository;
import org.reportorchestrator.spi.JobStatistics;
import org.reportorchestrator.spi.TypeStatistics;

/**
 * The store's {@link JobStatistics}, read at most once per interval, whoever asks: the API, the
 * gauges, {@code health()} or the timer. A read may scan the whole table, so it runs on a thread of
 * its own ({@code orchestrator-statistics}, made on first use), never on the timer that renews
 * leases nor on a scrape's thread. Ages are measured with the node's clock. A failed read is not
 * tried again before the interval is over either, so a store that is down costs one attempt per
 * interval. Thread-safe.
 */
final class StatisticsCache {

  private final JobRepository repository;
  private final Clock clock;
  private final Duration interval;
  private final @Nullable ThreadFactory threadFactory;
  private volatile @Nullable QueueStatistics current;

  // guarded by this
  private @Nullable CompletableFuture<QueueStatistics> inFlight;
  private @Nullable Instant lastAttemptAt;
  private @Nullable RuntimeException lastFailure;
  private @Nullable ExecutorService executor;
  private boolean closed;

  StatisticsCache(
      JobRepository repository,
      Clock clock,
      Duration interval,
      @Nullable ThreadFactory threadFactory) {
    this.repository = repository;
    this.clock = clock;
    this.interval = interval;
    this.threadFactory = threadFactory;
  }

  /**
   * Statistics at most one interval old: the cached ones, or else a fresh read, waited for. If that
   * read fails, the older statistics if there are any.
   *
   * @throws StorageException if the store could not be read and nothing is cached
   */
  QueueStatistics get() {
    QueueStatistics cached = current;
    if (cached != null && isFresh(cached)) {
      return cached;
    }
    try {
      return refresh().join();
    } catch (CompletionException e) {
      QueueStatistics older = current;
      if (older != null) {
        return older;
      }
      Throwable cause = e.getCause();
      if (cause instanceof StorageException storage) {
        throw storage;
      }
      throw new StorageException("could not read the job statistics", cause);
    }
  }

  /** What is cached, never waiting; starts a read in the background if it is stale or missing. */
  Optional<QueueStatistics> peek() {
    QueueStatistics cached = current;
    if (cached == null || !isFresh(cached)) {
      // its outcome lands in the cache; a failure is remembered there
      CompletableFuture<QueueStatistics> unused = refresh();
    }
    return Optional.ofNullable(current);
  }

  /** Stops the reading thread, if there is one; later reads fail, the cached value stays. */
  synchronized void close() {
    closed = true;
    if (executor != null) {
      executor.shutdownNow();
    }
  }

  private boolean isFresh(QueueStatistics statistics) {
    Instant now = clock.instant();
    Instant readAt = statistics.readAt();
    return !now.isBefore(readAt) && now.isBefore(readAt.plus(interval));
  }

  /** The read under way, or a new one unless the last one failed less than an interval ago. */
  private synchronized CompletableFuture<QueueStatistics> refresh() {
    CompletableFuture<QueueStatistics> running = inFlight;
    if (running != null) {
      return running;
    }
    Instant now = clock.instant();
    RuntimeException failure = lastFailure;
    if (failure != null
        && lastAttemptAt != null
        && !now.isBefore(lastAttemptAt)
        && now.isBefore(lastAttemptAt.plus(interval))) {
      return CompletableFuture.failedFuture(failure);
    }
    if (closed) {
      return CompletableFuture.failedFuture(new IllegalStateException("orchestrator is closed"));
    }
    lastAttemptAt = now;
    CompletableFuture<QueueStatistics> read;
    try {
      read = CompletableFuture.supplyAsync(this::read, executor());
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(e);
    }
    inFlight = read;
    CompletableFuture<QueueStatistics> unused =
        read.whenComplete((statistics, error) -> finished(read, error));
    return read;
  }

  private synchronized void finished(
      CompletableFuture<QueueStatistics> read, @Nullable Throwable error) {
    if (inFlight == read) {
      inFlight = null;
    }
    Throwable cause =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    lastFailure =
        cause == null
            ? null
            : cause instanceof RuntimeException runtime
                ? runtime
                : new StorageException("could not read the job statistics", cause);
  }

  private QueueStatistics read() {
    Instant now = clock.instant();
    QueueStatistics statistics = of(repository.statistics(now), now);
    current = statistics;
    return statistics;
  }

  private synchronized ExecutorService executor() {
    if (executor == null) {
      executor =
          Executors.newSingleThreadExecutor(
              NamedThreads.single("orchestrator-statistics", threadFactory));
    }
    return executor;
  }

  /** The public form: the lag of each type as of {@code readAt}. */
  static QueueStatistics of(JobStatistics statistics, Instant readAt) {
    Map<String, QueueStatistics.ForType> byType = new HashMap<>();
    statistics.byType().forEach((type, figures) -> byType.put(type, forType(figures, readAt)));
    return new QueueStatistics(readAt, byType);
  }

  private static QueueStatistics.ForType forType(TypeStatistics figures, Instant readAt) {
    Instant oldest = figures.oldestDueRunAt();
    Duration lag = oldest == null ? Duration.ZERO : Duration.between(oldest, readAt);
    return new QueueStatistics.ForType(
        figures.counts(), figures.due(), oldest, lag.isNegative() ? Duration.ZERO : lag);
  }
}

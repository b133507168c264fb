package org.reportorchestrator.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reportorchestrator.JobId;
import org.reportorchestrator.ReportResult;
import org.reportorchestrator.RetryPolicy;
import org.reportorchestrator.StorageException;
import org.reportorchestrator.TaskOptions;
import org.reportorchestrator.spi.JobEvent;
import org.reportorchestrator.spi.JobEventFeed;
import org.reportorchestrator.testing.SettableClock;

/**
 * The reader passes on what the feed tells, and after every open of the feed, the first and each
 * after a failure, asks for the look that catches up on what it could not hear.
 */
class EventFeedReaderTest {

  private static final Duration BOUND = Duration.ofSeconds(30);
  private static final JobEvent BREAK = new JobEvent.Submitted("<break the feed>");

  private final BlockingQueue<String> reactions = new LinkedBlockingQueue<>();
  private final BlockingQueue<JobEvent> sent = new LinkedBlockingQueue<>();
  private final AtomicInteger opensToRefuse = new AtomicInteger();
  private final AtomicInteger asked = new AtomicInteger();
  private final AtomicInteger opened = new AtomicInteger();
  private final List<Long> askedAtNanos = new CopyOnWriteArrayList<>();
  private final AtomicReference<Thread> readerThread = new AtomicReference<>();
  private final AtomicInteger closed = new AtomicInteger();
  private boolean hasFeed = true;

  /** Runs at the start of every open; a test's way to make an open block. */
  private volatile Runnable onOpen = () -> {};

  private EventFeedReader reader;

  @AfterEach
  void stop() throws InterruptedException {
    if (reader != null) {
      reader.stop(BOUND);
    }
  }

  @Test
  void submitsOfTypesThisNodeRunsWakeItAndCancellationsNameTheirJob() throws Exception {
    start();
    assertThat(next()).isEqualTo("caught up");
    JobId id = new JobId(UUID.randomUUID());

    sent.add(new JobEvent.Submitted("elsewhere"));
    sent.add(new JobEvent.CancellationRequested(id));
    sent.add(new JobEvent.Submitted("mine"));

    assertThat(next()).isEqualTo("cancel " + id);
    assertThat(next()).isEqualTo("due");
  }

  @Test
  void aBrokenFeedIsOpenedAgainWithBackoffAndEachOpenCatchesUp() throws Exception {
    start();
    assertThat(next()).isEqualTo("caught up");

    opensToRefuse.set(2);
    sent.add(BREAK);

    assertThat(next()).isEqualTo("caught up");
    assertThat(opened).hasValue(2);
    assertThat(closed).hasValue(1);
    sent.add(new JobEvent.Submitted("mine"));
    assertThat(next()).isEqualTo("due");
    // asked at the start, then after the break (100 ms), after each refusal (200 ms, 400 ms): only
    // lower bounds, which a pause guarantees however slow the machine is
    assertThat(askedAtNanos).hasSize(4);
    assertThat(gapMillis(1, 2)).isGreaterThanOrEqualTo(200);
    assertThat(gapMillis(2, 3)).isGreaterThanOrEqualTo(400);
  }

  private long gapMillis(int from, int to) {
    return TimeUnit.NANOSECONDS.toMillis(askedAtNanos.get(to) - askedAtNanos.get(from));
  }

  @Test
  void stopClosesTheFeed() throws Exception {
    start();
    assertThat(next()).isEqualTo("caught up");

    reader.stop(BOUND);

    assertThat(closed).hasValue(1);
  }

  @Test
  void aStoreWithoutAFeedIsNeverAskedAgain() throws Exception {
    hasFeed = false;
    start();

    // the thread ends by itself: one that asked again would still be running
    await().atMost(BOUND).until(() -> asked.get() >= 1 && !readerThread.get().isAlive());
    assertThat(asked).hasValue(1);
    assertThat(reactions).isEmpty();
  }

  @Test
  void stopInterruptsAnOpenThatWaitsForAConnection() throws Exception {
    CountDownLatch interrupted = new CountDownLatch(1);
    onOpen =
        () -> {
          try {
            new CountDownLatch(1).await();
          } catch (InterruptedException e) {
            interrupted.countDown();
            throw new StorageException("interrupted while waiting for a connection", e);
          }
        };
    start();
    await().atMost(BOUND).until(() -> asked.get() >= 1);

    reader.stop(BOUND);

    assertThat(interrupted.getCount()).as("the open was interrupted").isZero();
    assertThat(readerThread.get().isAlive()).isFalse();
    assertThat(asked).hasValue(1);
    assertThat(reactions).isEmpty();
  }

  @Test
  void aFeedThatOpensAfterStopBeganIsClosedUnread() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    onOpen =
        () -> {
          // like a driver's connect, deaf to interrupts
          boolean wasInterrupted = false;
          while (release.getCount() > 0) {
            try {
              release.await();
            } catch (InterruptedException e) {
              wasInterrupted = true;
            }
          }
          if (wasInterrupted) {
            Thread.currentThread().interrupt();
          }
        };
    start();
    await().atMost(BOUND).until(() -> asked.get() >= 1);

    reader.stop(Duration.ofMillis(1));
    release.countDown();

    await().atMost(BOUND).until(() -> !readerThread.get().isAlive());
    assertThat(opened).hasValue(1);
    assertThat(closed).hasValue(1);
    assertThat(reactions).as("no catch-up for a feed nobody reads").isEmpty();
  }

  private String next() throws InterruptedException {
    String reaction = reactions.poll(BOUND.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(reaction).as("a reaction within " + BOUND).isNotNull();
    return reaction;
  }

  private void start() {
    reader =
        new EventFeedReader(
            settings(new FeedStore()),
            new EventFeedReader.Reactions() {
              @Override
              public void jobsMayBeDue() {
                reactions.add("due");
              }

              @Override
              public void cancellationRequested(JobId id) {
                reactions.add("cancel " + id);
              }

              @Override
              public void caughtUp() {
                reactions.add("caught up");
              }
            },
            runnable -> {
              Thread thread = NamedThreads.single("test-events", null).newThread(runnable);
              readerThread.set(thread);
              return thread;
            });
    reader.start();
  }

  private static Settings settings(FeedStore store) {
    return new Settings(
        store,
        new SettableClock(Instant.parse("2030-01-01T00:00:00Z")),
        "node-a",
        1,
        Duration.ofSeconds(1),
        Duration.ofSeconds(30),
        RetryPolicy.noRetries(),
        Duration.ofMinutes(5),
        Duration.ofSeconds(10),
        null,
        Map.of(
            "mine",
            new Settings.Registration(
                "mine", context -> ReportResult.empty(), TaskOptions.DEFAULTS)),
        Map.of(),
        List.of(),
        null,
        Duration.ofSeconds(10),
        null,
        List.of());
  }

  /** A store whose feed hands out what the test sends, and breaks on {@link #BREAK}. */
  private final class FeedStore extends UnusedRepository {

    @Override
    public Optional<JobEventFeed> openEventFeed() {
      asked.incrementAndGet();
      askedAtNanos.add(System.nanoTime());
      onOpen.run();
      if (!hasFeed) {
        return Optional.empty();
      }
      if (opensToRefuse.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        throw new StorageException("the test refuses to open the feed");
      }
      opened.incrementAndGet();
      return Optional.of(
          new JobEventFeed() {
            @Override
            public List<JobEvent> await(Duration timeout) {
              List<JobEvent> events = new ArrayList<>();
              try {
                JobEvent first = sent.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
                if (first == null) {
                  return events;
                }
                events.add(first);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return events;
              }
              sent.drainTo(events);
              if (events.contains(BREAK)) {
                throw new StorageException("the test broke the feed");
              }
              return events;
            }

            @Override
            public void close() {
              closed.incrementAndGet();
            }
          });
    }
  }
}

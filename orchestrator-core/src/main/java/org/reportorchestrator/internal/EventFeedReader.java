package org.reportorchestrator.internal;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.reportorchestrator.JobId;
import org.reportorchestrator.StorageException;
import org.reportorchestrator.spi.JobEvent;
import org.reportorchestrator.spi.JobEventFeed;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread that reads the store's event feed, if the store has one: a submit anywhere wakes the
 * scheduler, a cancellation of a job this node runs reaches its task at once. After every open of
 * the feed (the first and each after an outage) it wakes the scheduler and asks for a heartbeat,
 * since whatever happened while no feed was open was not delivered. Polling and heartbeats go on as
 * before; the feed only makes them come sooner.
 */
final class EventFeedReader {

  private static final Logger LOG = LoggerFactory.getLogger(EventFeedReader.class);

  /**
   * How long one wait for events lasts: the longest stop() waits for the thread to notice, since a
   * wait on a socket does not end when the thread is interrupted.
   */
  private static final Duration AWAIT = Duration.ofMillis(250);

  private static final Duration FIRST_RETRY = Duration.ofMillis(100);
  private static final Duration MAX_RETRY = Duration.ofSeconds(30);

  /** What the reader does with what it hears; the node's parts, or a test's. */
  interface Reactions {

    /** Jobs of a type this node runs may be due. */
    void jobsMayBeDue();

    /** {@code id} was flagged for cancellation; it may run here. */
    void cancellationRequested(JobId id);

    /** The feed (re)opened: events sent before were lost, so look once as a poll would. */
    void caughtUp();
  }

  private final Settings settings;
  private final Reactions reactions;
  private final Thread thread;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition stopping = lock.newCondition();
  private volatile boolean running = true;

  /**
   * How long to wait before the next open after a failure. Back to the first only once an open feed
   * has answered a wait, so that a feed that breaks as soon as it opens is not reopened (and does
   * not trigger a catch-up poll) ten times a second. Only the reader's thread touches it.
   */
  private Duration retry = FIRST_RETRY;

  EventFeedReader(Settings settings, Reactions reactions, ThreadFactory threads) {
    this.settings = settings;
    this.reactions = reactions;
    this.thread = threads.newThread(this::loop);
  }

  void start() {
    thread.start();
  }

  /**
   * Stops reading and closes the feed; waits at most {@code timeout} for the thread. Interrupts the
   * thread, since it may be opening the feed: taking a connection from a pool waits up to the
   * pool's connection timeout, but ends when interrupted. A wait for events on a socket does not,
   * and lasts at most {@link #AWAIT}.
   */
  void stop(Duration timeout) throws InterruptedException {
    running = false;
    lock.lock();
    try {
      stopping.signalAll();
    } finally {
      lock.unlock();
    }
    thread.interrupt();
    thread.join(Math.max(1, timeout.toMillis()));
  }

  private void loop() {
    int failures = 0;
    while (running) {
      JobEventFeed feed;
      try {
        Optional<JobEventFeed> opened = settings.repository().openEventFeed();
        if (opened.isEmpty()) {
          LOG.debug("the job store has no event feed; this node polls only");
          return;
        }
        feed = opened.get();
      } catch (RuntimeException e) {
        if (!running) {
          return;
        }
        failures++;
        logFailure("could not open the job store's event feed", failures, e);
        if (!pause(retry)) {
          return;
        }
        retry = longer(retry);
        continue;
      }
      if (!running) {
        // stop() began while the feed was opening: nobody would read it, nor close it
        feed.close();
        return;
      }
      if (failures > 0) {
        LOG.info("the job store's event feed is open again after {} failed attempts", failures);
      }
      failures = 0;
      try {
        reactions.caughtUp();
        read(feed);
      } catch (StorageException e) {
        failures++;
        logFailure("the job store's event feed broke", failures, e);
      } catch (RuntimeException e) {
        failures++;
        LOG.error("reading the job store's event feed failed; opening it again", e);
      } finally {
        feed.close();
      }
      if (running && failures > 0) {
        if (!pause(retry)) {
          return;
        }
        retry = longer(retry);
      }
    }
  }

  private void read(JobEventFeed feed) {
    while (running) {
      List<JobEvent> events = feed.await(AWAIT);
      retry = FIRST_RETRY;
      boolean due = false;
      for (JobEvent event : events) {
        if (event instanceof JobEvent.Submitted submitted) {
          due |= settings.tasks().containsKey(submitted.reportType());
        } else if (event instanceof JobEvent.CancellationRequested cancelled) {
          reactions.cancellationRequested(cancelled.jobId());
        }
      }
      if (due) {
        reactions.jobsMayBeDue();
      }
    }
  }

  private static void logFailure(String what, int failures, RuntimeException e) {
    if (failures == 1) {
      LOG.warn("{}; the node polls meanwhile and tries again with backoff", what, e);
    } else {
      LOG.debug("{} ({} times in a row)", what, failures, e);
    }
  }

  /**
   * @return {@code false} if the reader is stopping
   */
  private boolean pause(Duration wait) {
    lock.lock();
    try {
      long nanos = wait.toNanos();
      while (running && nanos > 0) {
        nanos = stopping.awaitNanos(nanos);
      }
      return running;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      lock.unlock();
    }
  }

  private static Duration longer(Duration retry) {
    Duration doubled = retry.multipliedBy(2);
    return doubled.compareTo(MAX_RETRY) > 0 ? MAX_RETRY : doubled;
  }
}

package org.reportorchestrator.spi;

import java.time.Duration;
import java.util.List;

/**
 * A store's open feed of {@link JobEvent}s from every node on the store, this one included, usually
 * on a connection of its own; see {@link JobRepository#openEventFeed()}. Core reads it from one
 * thread and closes it from that same thread, so it need not be thread-safe.
 */
public interface JobEventFeed extends AutoCloseable {

  /**
   * Waits at most {@code timeout} for events and returns those that came, in the order they came;
   * empty if none did.
   *
   * @throws org.reportorchestrator.StorageException if the feed broke (its connection was lost);
   *     core closes it and opens another, so a broken feed never recovers by itself
   */
  List<JobEvent> await(Duration timeout);

  /** Releases the feed's connection; idempotent, never throws. */
  @Override
  void close();
}

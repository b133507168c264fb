package org.reportorchestrator.internal;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Names every thread the orchestrator makes ({@code orchestrator-worker-3}). Threads are daemons: a
 * host that exits without {@code close()} loses no work, since unfinished jobs are rescued when
 * their leases expire.
 */
final class NamedThreads implements ThreadFactory {

  private final String prefix;
  private final @Nullable ThreadFactory delegate;
  private final AtomicInteger counter = new AtomicInteger();
  private final boolean numbered;

  private NamedThreads(String prefix, @Nullable ThreadFactory delegate, boolean numbered) {
    this.prefix = prefix;
    this.delegate = delegate;
    this.numbered = numbered;
  }

  static NamedThreads numbered(String prefix, @Nullable ThreadFactory delegate) {
    return new NamedThreads(prefix, delegate, true);
  }

  static NamedThreads single(String name, @Nullable ThreadFactory delegate) {
    return new NamedThreads(name, delegate, false);
  }

  @Override
  public Thread newThread(Runnable runnable) {
    Thread thread = delegate == null ? new Thread(runnable) : delegate.newThread(runnable);
    thread.setName(numbered ? prefix + "-" + counter.incrementAndGet() : prefix);
    if (delegate == null) {
      thread.setDaemon(true);
    }
    return thread;
  }
}

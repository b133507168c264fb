package org.reportorchestrator.internal;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.reportorchestrator.DataRejectedException;
import org.reportorchestrator.StorageException;
import org.reportorchestrator.spi.ScheduleFiring;
import org.reportorchestrator.spi.ScheduleRepository;
import org.reportorchestrator.spi.StoredSchedule;

/**
 * The host's schedule store as the node uses it: every call tells {@link StoreHealth} whether the
 * store answered, as {@link ObservedRepository} does for jobs. Thread-safe.
 */
final class ObservedSchedules implements ScheduleRepository {

  private final ScheduleRepository delegate;
  private final StoreHealth health;

  ObservedSchedules(ScheduleRepository delegate, StoreHealth health) {
    this.delegate = delegate;
    this.health = health;
  }

  private <T> T call(Supplier<T> call) {
    T result;
    try {
      result = call.get();
    } catch (DataRejectedException rejected) {
      health.succeeded();
      throw rejected;
    } catch (StorageException failure) {
      health.failed(failure);
      throw failure;
    }
    health.succeeded();
    return result;
  }

  @Override
  public StoredSchedule upsertSchedule(StoredSchedule proposed) {
    return call(() -> delegate.upsertSchedule(proposed));
  }

  @Override
  public List<StoredSchedule> schedules() {
    return call(delegate::schedules);
  }

  @Override
  public Optional<StoredSchedule> findSchedule(String name) {
    return call(() -> delegate.findSchedule(name));
  }

  @Override
  public List<StoredSchedule> dueSchedules(Instant now, Set<String> reportTypes, int limit) {
    return call(() -> delegate.dueSchedules(now, reportTypes, limit));
  }

  @Override
  public FireResult fire(ScheduleFiring firing) {
    return call(() -> delegate.fire(firing));
  }

  @Override
  public boolean pauseSchedule(String name, Instant now) {
    return call(() -> delegate.pauseSchedule(name, now));
  }

  @Override
  public boolean resumeSchedule(String name, Instant nextFireAt, Instant now) {
    return call(() -> delegate.resumeSchedule(name, nextFireAt, now));
  }

  @Override
  public boolean removeSchedule(String name) {
    return call(() -> delegate.removeSchedule(name));
  }
}

package org.reportorchestrator.internal;

import java.time.ZoneId;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.reportorchestrator.Schedule;

/**
 * Lets the runtime make a {@link Schedule} from a stored definition that {@code Schedule}'s public
 * factories would check again: a cron expression read back from the store, on a node that may not
 * have cron-utils. {@code Schedule} registers its maker when it is initialized. Thread-safe.
 */
public final class ScheduleAccess {

  /** Makes a cron schedule from an expression and zone already checked when they were stored. */
  @FunctionalInterface
  public interface StoredCronMaker {
    Schedule storedCron(String name, String reportType, String expression, ZoneId zone);
  }

  private static volatile @Nullable StoredCronMaker maker;

  private ScheduleAccess() {}

  /** Called once, by {@code Schedule}'s static initializer. */
  public static void register(StoredCronMaker storedCronMaker) {
    maker = Objects.requireNonNull(storedCronMaker, "storedCronMaker");
  }

  static Schedule storedCron(String name, String reportType, String expression, ZoneId zone) {
    StoredCronMaker registered = maker;
    if (registered == null) {
      try {
        // runs Schedule's static initializer, which registers the maker
        Class.forName(Schedule.class.getName(), true, Schedule.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException(e);
      }
      registered = Objects.requireNonNull(maker, "Schedule registered no maker");
    }
    return registered.storedCron(name, reportType, expression, zone);
  }
}

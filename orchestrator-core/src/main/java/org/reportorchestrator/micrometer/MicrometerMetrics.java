package org.reportorchestrator.micrometer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.reportorchestrator.OrchestratorMetrics;

/**
 * Records what an orchestrator measures as Micrometer meters in a {@link MeterRegistry}:
 *
 * <pre>{@code
 * ReportOrchestrator orchestrator = ReportOrchestrator.builder()
 *     .repository(repository)
 *     .register("sales-summary", new SalesSummaryTask())
 *     .metrics(new MicrometerMetrics(registry))
 *     .build();
 * }</pre>
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>name</th><th>type</th><th>tags</th><th>what</th></tr>
 *   <tr><td>{@value #TRANSITIONS}</td><td>counter</td><td>report.type, outcome</td>
 *       <td>transitions this node wrote: submitted, claimed, completed, failed, retried, rescued,
 *       released, cancelled</td></tr>
 *   <tr><td>{@value #QUEUE_WAIT}</td><td>timer</td><td>report.type</td>
 *       <td>from a job's due time to the start of its attempt</td></tr>
 *   <tr><td>{@value #RUN_DURATION}</td><td>timer</td><td>report.type, outcome</td>
 *       <td>how long a task ran: success or failure (it threw)</td></tr>
 *   <tr><td>{@value #RUNNING}</td><td>gauge</td><td>report.type</td>
 *       <td>tasks running on this node</td></tr>
 *   <tr><td>{@value #WORKERS_UTILIZATION}</td><td>gauge</td><td></td>
 *       <td>busy workers / workers, 0 to 1; 0 on a node that only submits</td></tr>
 *   <tr><td>{@value #STORE_ERRORS}</td><td>counter</td><td>operation</td>
 *       <td>store calls of this node that failed</td></tr>
 *   <tr><td>{@value #DUE}</td><td>gauge</td><td>report.type</td>
 *       <td>due jobs in the whole store, from the statistics cache</td></tr>
 *   <tr><td>{@value #LAG}</td><td>time gauge</td><td>report.type</td>
 *       <td>how long the oldest due job has waited, from the statistics cache</td></tr>
 * </table>
 *
 * <p>Timers publish the 50th, 95th and 99th percentiles. The gauges read memory only: a scrape
 * never queries the store, and {@value #DUE} and {@value #LAG} are as old as the statistics cache
 * ({@code NaN} until its first read). Give each orchestrator its own instance. Thread-safe.
 */
public final class MicrometerMetrics implements OrchestratorMetrics {

  public static final String TRANSITIONS = "reports.transitions";
  public static final String QUEUE_WAIT = "reports.queue.wait";
  public static final String RUN_DURATION = "reports.run.duration";
  public static final String RUNNING = "reports.running";
  public static final String WORKERS_UTILIZATION = "reports.workers.utilization";
  public static final String STORE_ERRORS = "reports.store.errors";
  public static final String DUE = "reports.due";
  public static final String LAG = "reports.lag";

  public static final String TAG_REPORT_TYPE = "report.type";
  public static final String TAG_OUTCOME = "outcome";
  public static final String TAG_OPERATION = "operation";

  private static final double[] PERCENTILES = {0.5, 0.95, 0.99};

  private final MeterRegistry registry;
  private final Tags commonTags;
  private final Map<String, Counter> transitions = new ConcurrentHashMap<>();
  private final Map<String, Timer> queueWaits = new ConcurrentHashMap<>();
  private final Map<String, Timer> runDurations = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> running = new ConcurrentHashMap<>();
  private final Map<String, Counter> storeErrors = new ConcurrentHashMap<>();
  private volatile @Nullable Gauges gauges;
  private final List<Meter> registered = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  /** Meters in {@code registry}, tagged with their own tags only. */
  public MicrometerMetrics(MeterRegistry registry) {
    this(registry, Tags.empty());
  }

  /** Meters in {@code registry}, each also tagged with {@code commonTags} (a node name, say). */
  public MicrometerMetrics(MeterRegistry registry, Iterable<Tag> commonTags) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.commonTags = Tags.of(Objects.requireNonNull(commonTags, "commonTags"));
  }

  /**
   * Registers the gauges.
   *
   * @throws IllegalStateException if this instance serves an orchestrator already
   */
  @Override
  public synchronized void bind(Gauges source) {
    if (gauges != null) {
      throw new IllegalStateException(
          "this MicrometerMetrics serves an orchestrator already; give each its own");
    }
    gauges = source;
    registered.add(
        Gauge.builder(WORKERS_UTILIZATION, source, MicrometerMetrics::utilization)
            .tags(commonTags)
            .description("busy workers / workers of this node")
            .strongReference(true)
            .register(registry));
    for (String type : source.reportTypes()) {
      runningOf(type);
      Tags tags = commonTags.and(TAG_REPORT_TYPE, type);
      registered.add(
          Gauge.builder(DUE, source, read -> due(read, type))
              .tags(tags)
              .description("due jobs of the whole store, from the statistics cache")
              .strongReference(true)
              .register(registry));
      registered.add(
          TimeGauge.builder(LAG, source, TimeUnit.MILLISECONDS, read -> lagMillis(read, type))
              .tags(tags)
              .description("how long the oldest due job has waited, from the statistics cache")
              .strongReference(true)
              .register(registry));
    }
  }

  @Override
  public void transition(String reportType, Outcome outcome) {
    if (closed) {
      return;
    }
    String outcomeTag = outcome.name().toLowerCase(Locale.ROOT);
    transitions
        .computeIfAbsent(
            reportType + '\0' + outcomeTag,
            key ->
                track(
                    Counter.builder(TRANSITIONS)
                        .tags(commonTags.and(TAG_REPORT_TYPE, reportType, TAG_OUTCOME, outcomeTag))
                        .description("job transitions written by this node")
                        .register(registry)))
        .increment();
  }

  @Override
  public void attemptStarted(String reportType, Duration queueWait) {
    if (closed) {
      return;
    }
    runningOf(reportType).incrementAndGet();
    queueWaits
        .computeIfAbsent(
            reportType,
            type ->
                track(
                    Timer.builder(QUEUE_WAIT)
                        .tags(commonTags.and(TAG_REPORT_TYPE, type))
                        .description("from a job's due time to the start of its attempt")
                        .publishPercentiles(PERCENTILES)
                        .register(registry)))
        .record(queueWait);
  }

  @Override
  public void attemptFinished(String reportType, Duration runTime, boolean succeeded) {
    if (closed) {
      return;
    }
    runningOf(reportType).decrementAndGet();
    String outcomeTag = succeeded ? "success" : "failure";
    runDurations
        .computeIfAbsent(
            reportType + '\0' + outcomeTag,
            key ->
                track(
                    Timer.builder(RUN_DURATION)
                        .tags(commonTags.and(TAG_REPORT_TYPE, reportType, TAG_OUTCOME, outcomeTag))
                        .description("how long a task ran")
                        .publishPercentiles(PERCENTILES)
                        .register(registry)))
        .record(runTime);
  }

  @Override
  public void storeFailed(String operation, RuntimeException failure) {
    if (closed) {
      return;
    }
    storeErrors
        .computeIfAbsent(
            operation,
            op ->
                track(
                    Counter.builder(STORE_ERRORS)
                        .tags(commonTags.and(TAG_OPERATION, op))
                        .description("store calls of this node that failed")
                        .register(registry)))
        .increment();
  }

  /** Removes every meter this instance registered; later calls record nothing. */
  @Override
  public void close() {
    closed = true;
    for (Meter meter : registered) {
      registry.remove(meter);
    }
    registered.clear();
  }

  private <M extends Meter> M track(M meter) {
    registered.add(meter);
    return meter;
  }

  @Override
  public String toString() {
    return "MicrometerMetrics[" + registry.getClass().getSimpleName() + "]";
  }

  private AtomicInteger runningOf(String reportType) {
    return running.computeIfAbsent(
        reportType,
        type -> {
          AtomicInteger count = new AtomicInteger();
          registered.add(
              Gauge.builder(RUNNING, count, AtomicInteger::get)
                  .tags(commonTags.and(TAG_REPORT_TYPE, type))
                  .description("tasks running on this node")
                  .strongReference(true)
                  .register(registry));
          return count;
        });
  }

  private static double utilization(Gauges gauges) {
    int workers = gauges.workers();
    return workers == 0 ? 0 : (double) gauges.busyWorkers() / workers;
  }

  private static double due(Gauges gauges, String type) {
    return gauges.statistics().map(statistics -> (double) statistics.due(type)).orElse(Double.NaN);
  }

  private static double lagMillis(Gauges gauges, String type) {
    return gauges
        .statistics()
        .map(statistics -> (double) statistics.lag(type).toMillis())
        .orElse(Double.NaN);
  }
}

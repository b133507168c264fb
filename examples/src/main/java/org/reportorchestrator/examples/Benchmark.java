package org.reportorchestrator.examples;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.reportorchestrator.JobId;
import org.reportorchestrator.JobState;
import org.reportorchestrator.ReportOrchestrator;
import org.reportorchestrator.ReportRequest;
import org.reportorchestrator.ReportResult;
import org.reportorchestrator.spi.JobRepository;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Measures what the orchestrator itself costs, with tasks that do nothing (or only sleep): how fast
 * jobs are stored, how fast a node drains a backlog, and how long a job takes from submit to
 * completion (one at a time) or to its start (at a steady rate).
 */
@Command(
    name = "benchmark",
    mixinStandardHelpOptions = true,
    description = "Measures submit throughput, drain throughput and submit-to-completion latency.")
public final class Benchmark implements Callable<Integer> {

  @Option(
      names = "--store",
      defaultValue = "h2",
      description =
          "memory, h2 (in-memory H2 database) or postgres (needs --jdbc-url); default ${DEFAULT-VALUE}")
  String store;

  @Option(
      names = "--jdbc-url",
      description = "JDBC URL of the PostgreSQL database for --store postgres")
  String jdbcUrl;

  @Option(
      names = "--jobs",
      defaultValue = "20000",
      description = "jobs per throughput run (default ${DEFAULT-VALUE})")
  int jobs;

  @Option(
      names = "--workers",
      defaultValue = "8",
      description = "worker threads (default ${DEFAULT-VALUE})")
  int workers;

  @Option(
      names = "--rounds",
      defaultValue = "3",
      description =
          "measured rounds after one warm-up, 0 to skip the throughput rounds (default ${DEFAULT-VALUE})")
  int rounds;

  @Option(
      names = "--latency-samples",
      defaultValue = "300",
      description = "jobs in the latency run, 0 to skip it (default ${DEFAULT-VALUE})")
  int latencySamples;

  @Option(
      names = "--task-millis",
      defaultValue = "0",
      description =
          "each job sleeps this long, for an io-bound workload; the drain is then also printed as a"
              + " share of the ideal rate workers * 1000 / task-millis (default ${DEFAULT-VALUE})")
  int taskMillis;

  @Option(
      names = "--warm-up-submits",
      defaultValue = "" + SteadyRateLatency.DEFAULT_WARM_UP_BURST,
      description =
          "with --rate: jobs submitted one at a time and run, unmeasured, before the steady rate"
              + " begins, so that the submit and claim paths run compiled (default ${DEFAULT-VALUE})")
  int warmUpSubmits;

  @Option(
      names = "--rate",
      defaultValue = "0",
      description =
          "submits per second in the latency run, measured from submit to the task's start;"
              + " 0 for one job at a time, measured from submit to COMPLETED (default ${DEFAULT-VALUE})")
  int rate;

  @Option(
      names = "--baseline",
      description =
          "executor: in each round, also drain the same tasks on a bare ThreadPoolExecutor with as"
              + " many threads as workers, and print the ratio of the drains")
  @Nullable String baseline;

  @Option(
      names = "--notifications",
      defaultValue = "true",
      arity = "1",
      description =
          "whether a PostgreSQL store sends and hears LISTEN/NOTIFY (true or false; default"
              + " ${DEFAULT-VALUE}), to measure what notifications cost")
  boolean notifications;

  @Spec CommandSpec spec;

  private final PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);

  public static void main(String[] args) {
    System.exit(new CommandLine(new Benchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (baseline != null && !baseline.equals("executor")) {
      throw new ParameterException(
          spec.commandLine(), "--baseline must be executor, not '" + baseline + "'");
    }
    out.printf(
        Locale.ROOT,
        "store=%s notifications=%s jobs=%d workers=%d task-millis=%d rounds=%d cores=%d java=%s"
            + " load=%.2f%n",
        store,
        notifications,
        jobs,
        workers,
        taskMillis,
        rounds,
        Runtime.getRuntime().availableProcessors(),
        Runtime.version(),
        loadAverage());
    if (rounds > 0) {
      if (baseline == null) {
        runRounds(out, rounds, "submitAll", idealRate(taskMillis, workers), this::throughputRound);
      } else {
        executorBaselineRounds();
      }
    }
    if (latencySamples > 0) {
      if (rate > 0) {
        steadyRateLatencyRun();
      } else {
        latencyRun();
      }
    }
    out.printf(Locale.ROOT, "load     %.2f at the end%n", loadAverage());
    return 0;
  }

  /** The 1-minute system load average, or a negative value where the platform has none. */
  static double loadAverage() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  /** Jobs per second that {@code workers} reach if each job takes exactly {@code taskMillis}. */
  static double idealRate(int taskMillis, int workers) {
    return taskMillis > 0 ? workers * 1000.0 / taskMillis : 0;
  }

  /** Sleeps {@code millis}, as the io-bound workload's task does; nothing for 0. */
  static void work(int millis) throws InterruptedException {
    if (millis > 0) {
      Thread.sleep(millis);
    }
  }

  /** One throughput round: the storing rate and the draining rate, in jobs per second. */
  @FunctionalInterface
  interface ThroughputRound {
    double[] run() throws Exception;
  }

  /**
   * Runs one warm-up round and {@code rounds} measured ones, printing each and the medians of the
   * measured ones, with the drain as a share of {@code idealRate} if that is positive; shared with
   * {@link DbSchedulerBenchmark} so both report alike.
   */
  static void runRounds(
      PrintStream out, int rounds, String storeLabel, double idealRate, ThroughputRound round)
      throws Exception {
    List<Double> storeRates = new ArrayList<>();
    List<Double> drainRates = new ArrayList<>();
    for (int i = 0; i <= rounds; i++) {
      double[] rates = round.run();
      String label = i == 0 ? "warm-up" : "round " + i;
      out.printf(
          Locale.ROOT,
          "%-8s %s %,10.0f jobs/s   drain %,10.0f jobs/s%s%n",
          label,
          storeLabel,
          rates[0],
          rates[1],
          ofIdeal(rates[1], idealRate));
      if (i > 0) {
        storeRates.add(rates[0]);
        drainRates.add(rates[1]);
      }
    }
    out.printf(
        Locale.ROOT,
        "median   %s %,10.0f jobs/s   drain %,10.0f jobs/s%s%n",
        storeLabel,
        median(storeRates),
        median(drainRates),
        ofIdeal(median(drainRates), idealRate));
  }

  private static String ofIdeal(double drainRate, double idealRate) {
    return idealRate > 0
        ? String.format(
            Locale.ROOT, "   %.1f %% of ideal %,.0f jobs/s", 100 * drainRate / idealRate, idealRate)
        : "";
  }

  /**
   * Rounds of {@link #throughputRound} each followed by the same number of the same tasks on a bare
   * {@link ThreadPoolExecutor}: what a node costs over the plainest way to run tasks on as many
   * threads.
   */
  private void executorBaselineRounds() throws Exception {
    List<Double> drainRates = new ArrayList<>();
    List<Double> executorRates = new ArrayList<>();
    for (int i = 0; i <= rounds; i++) {
      double[] rates = throughputRound();
      double executorRate = executorDrain();
      out.printf(
          Locale.ROOT,
          "%-8s submitAll %,10.0f jobs/s   drain %,10.0f jobs/s   executor %,10.0f jobs/s   drain/executor %.3f%n",
          i == 0 ? "warm-up" : "round " + i,
          rates[0],
          rates[1],
          executorRate,
          rates[1] / executorRate);
      if (i > 0) {
        drainRates.add(rates[1]);
        executorRates.add(executorRate);
      }
    }
    out.printf(
        Locale.ROOT,
        "median   drain %,10.0f jobs/s   executor %,10.0f jobs/s   drain/executor %.3f%n",
        median(drainRates),
        median(executorRates),
        median(drainRates) / median(executorRates));
  }

  /**
   * {@code jobs} tasks queued first, then {@code workers} threads started and timed until all ran:
   * the counterpart of a node draining a backlog. Each task does what the orchestrator's task and
   * listener do together here: the optional sleep, and counting itself done.
   */
  private double executorDrain() throws InterruptedException {
    CountDownLatch done = new CountDownLatch(jobs);
    BlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
    for (int i = 0; i < jobs; i++) {
      queue.add(
          () -> {
            try {
              work(taskMillis);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            done.countDown();
          });
    }
    AtomicInteger threads = new AtomicInteger();
    ThreadPoolExecutor executor =
        new ThreadPoolExecutor(
            workers,
            workers,
            0,
            TimeUnit.MILLISECONDS,
            queue,
            task -> new Thread(task, "baseline-executor-" + threads.incrementAndGet()));
    try {
      long start = System.nanoTime();
      executor.prestartAllCoreThreads();
      if (!done.await(10, TimeUnit.MINUTES)) {
        throw new IllegalStateException(done.getCount() + " tasks did not run in 10 minutes");
      }
      return jobs / ((System.nanoTime() - start) / 1e9);
    } finally {
      executor.shutdownNow();
    }
  }

  /** Stores {@code jobs} jobs with submitAll, then starts a node and times until all completed. */
  private double[] throughputRound() throws Exception {
    CountDownLatch completed = new CountDownLatch(jobs);
    try (BenchmarkStores.Opened opened = BenchmarkStores.open(store, jdbcUrl, notifications);
        ReportOrchestrator orchestrator = orchestrator(opened.repository(), completed, null)) {
      long submitStart = System.nanoTime();
      List<ReportRequest> batch = new ArrayList<>(1_000);
      for (int i = 0; i < jobs; i++) {
        batch.add(ReportRequest.of("noop"));
        if (batch.size() == 1_000) {
          orchestrator.submitAll(batch);
          batch.clear();
        }
      }
      if (!batch.isEmpty()) {
        orchestrator.submitAll(batch);
      }
      double submitSeconds = (System.nanoTime() - submitStart) / 1e9;

      long drainStart = System.nanoTime();
      orchestrator.start();
      if (!completed.await(10, TimeUnit.MINUTES)) {
        throw new IllegalStateException(
            completed.getCount() + " jobs did not complete in 10 minutes");
      }
      double drainSeconds = (System.nanoTime() - drainStart) / 1e9;
      return new double[] {jobs / submitSeconds, jobs / drainSeconds};
    }
  }

  /** Submits at a steady rate; each job's task records when it started (type {@code probe}). */
  private void steadyRateLatencyRun() throws Exception {
    SteadyRateLatency latency = new SteadyRateLatency(rate, warmUpSubmits, latencySamples);
    List<ReportRequest> requests = new ArrayList<>();
    for (int i = 0; i < latency.jobCount(); i++) {
      requests.add(ReportRequest.of("probe", Map.of("i", Integer.toString(i))));
    }
    try (BenchmarkStores.Opened opened = BenchmarkStores.open(store, jdbcUrl, notifications);
        ReportOrchestrator orchestrator =
            orchestrator(opened.repository(), new CountDownLatch(0), latency)) {
      orchestrator.start();
      latency.run(out, "submit", i -> orchestrator.submit(requests.get(i)));
    }
  }

  /** One job at a time: submit, wait for COMPLETED, repeat; reports the latency percentiles. */
  private void latencyRun() throws Exception {
    try (BenchmarkStores.Opened opened = BenchmarkStores.open(store, jdbcUrl, notifications);
        ReportOrchestrator orchestrator =
            orchestrator(opened.repository(), new CountDownLatch(0), null)) {
      orchestrator.start();
      long[] micros = new long[latencySamples];
      for (int i = -50; i < latencySamples; i++) {
        long start = System.nanoTime();
        JobId id = orchestrator.submit(ReportRequest.of("noop"));
        if (orchestrator.awaitCompletion(id, Duration.ofMinutes(1)).state() != JobState.COMPLETED) {
          throw new IllegalStateException("job " + id + " did not complete");
        }
        if (i >= 0) {
          micros[i] = (System.nanoTime() - start) / 1_000;
        }
      }
      Arrays.sort(micros);
      out.printf(
          Locale.ROOT,
          "latency  submit -> COMPLETED (awaitCompletion), %d jobs one at a time: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms%n",
          latencySamples,
          percentile(micros, 0.50) / 1e3,
          percentile(micros, 0.90) / 1e3,
          percentile(micros, 0.99) / 1e3);
    }
  }

  private ReportOrchestrator orchestrator(
      JobRepository repository, CountDownLatch completed, @Nullable SteadyRateLatency latency) {
    return ReportOrchestrator.builder()
        .repository(repository)
        .workerCount(workers)
        .pollInterval(Duration.ofMillis(100))
        .register(
            "noop",
            context -> {
              work(taskMillis);
              return ReportResult.empty();
            })
        .register(
            "probe",
            context -> {
              if (latency != null) {
                latency.started(context.intParameter("i"));
              }
              return ReportResult.empty();
            })
        .listener(
            transition -> {
              if (transition.to() == JobState.COMPLETED) {
                completed.countDown();
              } else if (transition.to() == JobState.FAILED) {
                out.println("unexpected failure: " + transition);
              }
            })
        .build();
  }

  static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(Double::compare);
    int middle = sorted.size() / 2;
    return sorted.size() % 2 == 1
        ? sorted.get(middle)
        : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
  }

  static long percentile(long[] sorted, double quantile) {
    int index = (int) Math.min(sorted.length - 1, Math.round(quantile * (sorted.length - 1)));
    return sorted[index];
  }
}

package org.reportorchestrator.examples;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.reportorchestrator.JobId;
import org.reportorchestrator.JobState;
import org.reportorchestrator.ReportOrchestrator;
import org.reportorchestrator.ReportRequest;
import org.reportorchestrator.ReportResult;
import org.reportorchestrator.spi.JobRepository;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Measures what the orchestrator itself costs, with tasks that do nothing: how fast jobs are
 * stored, how fast a node drains a backlog, and how long one job takes from submit to completion.
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
      description = "measured rounds after one warm-up (default ${DEFAULT-VALUE})")
  int rounds;

  @Option(
      names = "--latency-samples",
      defaultValue = "300",
      description = "jobs in the latency run (default ${DEFAULT-VALUE})")
  int latencySamples;

  private final PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);

  public static void main(String[] args) {
    System.exit(new CommandLine(new Benchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    out.printf(
        Locale.ROOT,
        "store=%s jobs=%d workers=%d rounds=%d cores=%d java=%s%n",
        store,
        jobs,
        workers,
        rounds,
        Runtime.getRuntime().availableProcessors(),
        Runtime.version());
    runRounds(out, rounds, "submitAll", this::throughputRound);
    latencyRun();
    return 0;
  }

  /** One throughput round: the storing rate and the draining rate, in jobs per second. */
  @FunctionalInterface
  interface ThroughputRound {
    double[] run() throws Exception;
  }

  /**
   * Runs one warm-up round and {@code rounds} measured ones, printing each and the medians of the
   * measured ones; shared with {@link DbSchedulerBenchmark} so both report alike.
   */
  static void runRounds(PrintStream out, int rounds, String storeLabel, ThroughputRound round)
      throws Exception {
    List<Double> storeRates = new ArrayList<>();
    List<Double> drainRates = new ArrayList<>();
    for (int i = 0; i <= rounds; i++) {
      double[] rates = round.run();
      String label = i == 0 ? "warm-up" : "round " + i;
      out.printf(
          Locale.ROOT,
          "%-8s %s %,10.0f jobs/s   drain %,10.0f jobs/s%n",
          label,
          storeLabel,
          rates[0],
          rates[1]);
      if (i > 0) {
        storeRates.add(rates[0]);
        drainRates.add(rates[1]);
      }
    }
    out.printf(
        Locale.ROOT,
        "median   %s %,10.0f jobs/s   drain %,10.0f jobs/s%n",
        storeLabel,
        median(storeRates),
        median(drainRates));
  }

  /** Stores {@code jobs} jobs with submitAll, then starts a node and times until all completed. */
  private double[] throughputRound() throws Exception {
    CountDownLatch completed = new CountDownLatch(jobs);
    try (BenchmarkStores.Opened opened = BenchmarkStores.open(store, jdbcUrl);
        ReportOrchestrator orchestrator = orchestrator(opened.repository(), completed)) {
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

  /** One job at a time: submit, wait for COMPLETED, repeat; reports the latency percentiles. */
  private void latencyRun() throws Exception {
    try (BenchmarkStores.Opened opened = BenchmarkStores.open(store, jdbcUrl);
        ReportOrchestrator orchestrator =
            orchestrator(opened.repository(), new CountDownLatch(0))) {
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

  private ReportOrchestrator orchestrator(JobRepository repository, CountDownLatch completed) {
    return ReportOrchestrator.builder()
        .repository(repository)
        .workerCount(workers)
        .pollInterval(Duration.ofMillis(100))
        .register("noop", context -> ReportResult.empty())
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

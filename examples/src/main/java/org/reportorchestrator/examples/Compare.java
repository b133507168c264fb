package org.reportorchestrator.examples;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs {@link Benchmark} and {@link DbSchedulerBenchmark} in alternating pairs on one workload and
 * database, each run in a fresh JVM on fresh tables, and prints every pair, the medians and the
 * ratios ours / db-scheduler, with the 1-minute load average before and after each run. On a shared
 * machine only such ratios of neighbouring runs mean much.
 */
@Command(
    name = "compare",
    mixinStandardHelpOptions = true,
    description =
        "Runs the orchestrator and db-scheduler in alternating pairs, each in its own JVM, and"
            + " prints the pairs, the medians and the ratios.")
public final class Compare implements Callable<Integer> {

  /** What the pairs run; each sets the defaults of the options left out. */
  enum Workload {
    /** No-op jobs: submitAll, then a node drains them (8 workers, 20,000 jobs). */
    DRAIN(8, 20_000),
    /** Jobs that sleep 20 ms: 32 workers, 5,000 jobs, drain as a share of the ideal rate. */
    IO(32, 5_000),
    /** Submits at 50/s, 500 measured, submit to the task's start. */
    LATENCY(8, 20_000);

    final int workers;
    final int jobs;

    Workload(int workers, int jobs) {
      this.workers = workers;
      this.jobs = jobs;
    }
  }

  @Option(
      names = "--workload",
      defaultValue = "drain",
      description = "drain, io or latency (default ${DEFAULT-VALUE})")
  Workload workload;

  @Option(
      names = "--store",
      defaultValue = "postgres",
      description = "postgres (needs --jdbc-url) or h2, in memory (default ${DEFAULT-VALUE})")
  String store;

  @Option(names = "--jdbc-url", description = "JDBC URL of the PostgreSQL database")
  @Nullable String jdbcUrl;

  @Option(names = "--pairs", defaultValue = "3", description = "pairs (default ${DEFAULT-VALUE})")
  int pairs;

  @Option(names = "--jobs", description = "jobs per drain (drain 20000, io 5000)")
  @Nullable Integer jobs;

  @Option(names = "--workers", description = "workers or threads (drain 8, io 32, latency 8)")
  @Nullable Integer workers;

  @Option(
      names = "--task-millis",
      defaultValue = "20",
      description = "how long each io job sleeps (default ${DEFAULT-VALUE})")
  int taskMillis;

  @Option(
      names = "--rate",
      defaultValue = "50",
      description = "submits per second for latency (default ${DEFAULT-VALUE})")
  int rate;

  @Option(
      names = "--rounds",
      defaultValue = "1",
      description =
          "drain and io: measured rounds per run, after one warm-up round; each run reports their"
              + " median (default ${DEFAULT-VALUE})")
  int rounds;

  @Option(
      names = "--warm-up-submits",
      defaultValue = "" + SteadyRateLatency.DEFAULT_WARM_UP_BURST,
      description =
          "latency: unmeasured single submits run before the steady rate (default"
              + " ${DEFAULT-VALUE})")
  int warmUpSubmits;

  @Option(
      names = "--latency-samples",
      defaultValue = "500",
      description = "measured jobs for latency (default ${DEFAULT-VALUE})")
  int latencySamples;

  private static final Pattern DRAIN =
      Pattern.compile("^median +\\S+ +([0-9,.]+) jobs/s +drain +([0-9,.]+) jobs/s");
  private static final Pattern LATENCY =
      Pattern.compile("p50 ([0-9.]+) ms, p90 ([0-9.]+) ms, p99 ([0-9.]+) ms");

  private final PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);

  public static void main(String[] args) {
    System.exit(
        new CommandLine(new Compare()).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    List<String> ours = new ArrayList<>(List.of("--store", store));
    List<String> theirs = new ArrayList<>();
    switch (store) {
      case "postgres" -> {
        if (jdbcUrl == null) {
          throw new IllegalArgumentException("--store postgres needs --jdbc-url");
        }
        ours.addAll(List.of("--jdbc-url", jdbcUrl));
        theirs.addAll(List.of("--jdbc-url", jdbcUrl));
      }
      case "h2" ->
          theirs.addAll(
              List.of("--jdbc-url", "jdbc:h2:mem:dbs-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1"));
      default ->
          throw new IllegalArgumentException("--store must be postgres or h2, not '" + store + "'");
    }
    List<String> common = workloadOptions();
    ours.addAll(common);
    theirs.addAll(common);

    double loadBefore = Benchmark.loadAverage();
    out.printf(
        Locale.ROOT,
        "compare workload=%s store=%s pairs=%d options=%s cores=%d load=%.2f%n",
        workload.name().toLowerCase(Locale.ROOT),
        store,
        pairs,
        String.join(" ", common),
        Runtime.getRuntime().availableProcessors(),
        loadBefore);
    List<Map<String, Double>> oursRuns = new ArrayList<>();
    List<Map<String, Double>> theirRuns = new ArrayList<>();
    for (int pair = 1; pair <= pairs; pair++) {
      // alternate who goes first, so that a trend in the machine's load favours neither
      boolean oursFirst = pair % 2 == 1;
      Map<String, Double> first =
          oursFirst
              ? run(pair, "ours", Benchmark.class, ours)
              : run(pair, "db-scheduler", DbSchedulerBenchmark.class, theirs);
      Map<String, Double> second =
          oursFirst
              ? run(pair, "db-scheduler", DbSchedulerBenchmark.class, theirs)
              : run(pair, "ours", Benchmark.class, ours);
      Map<String, Double> oursRun = oursFirst ? first : second;
      Map<String, Double> theirRun = oursFirst ? second : first;
      oursRuns.add(oursRun);
      theirRuns.add(theirRun);
      out.printf(Locale.ROOT, "pair %d   %s%n", pair, describe(oursRun, theirRun));
    }
    Map<String, Double> oursMedians = medians(oursRuns);
    Map<String, Double> theirMedians = medians(theirRuns);
    out.printf(Locale.ROOT, "median   %s%n", describe(oursMedians, theirMedians));
    out.printf(
        Locale.ROOT,
        "load     1-minute average %.2f before, %.2f after%n",
        loadBefore,
        Benchmark.loadAverage());
    return 0;
  }

  /** The options both benchmarks take for the workload: throughput or latency, not both. */
  private List<String> workloadOptions() {
    int jobCount = jobs != null ? jobs : workload.jobs;
    int workerCount = workerCount();
    return switch (workload) {
      case DRAIN ->
          List.of(
              "--jobs",
              Integer.toString(jobCount),
              "--workers",
              Integer.toString(workerCount),
              "--rounds",
              Integer.toString(rounds),
              "--latency-samples",
              "0");
      case IO ->
          List.of(
              "--jobs", Integer.toString(jobCount),
              "--workers", Integer.toString(workerCount),
              "--task-millis", Integer.toString(taskMillis),
              "--rounds", Integer.toString(rounds),
              "--latency-samples", "0");
      // one warm-up drain first, so that both run compiled code, as a host that has run for a
      // while does
      case LATENCY ->
          List.of(
              "--jobs", Integer.toString(jobCount),
              "--workers", Integer.toString(workerCount),
              "--rounds", "1",
              "--rate", Integer.toString(rate),
              "--warm-up-submits", Integer.toString(warmUpSubmits),
              "--latency-samples", Integer.toString(latencySamples));
    };
  }

  private int workerCount() {
    return workers != null ? workers : workload.workers;
  }

  /** One benchmark in a fresh JVM; echoes its output and returns the figures it printed. */
  private Map<String, Double> run(int pair, String engine, Class<?> main, List<String> options)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(javaExecutable());
    command.add("-cp");
    command.add(classPath());
    command.add(main.getName());
    command.addAll(options);
    double loadBefore = Benchmark.loadAverage();
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    Map<String, Double> figures = new LinkedHashMap<>();
    try (BufferedReader lines =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        out.printf(Locale.ROOT, "  %d %-12s | %s%n", pair, engine, line);
        Matcher drain = DRAIN.matcher(line);
        if (drain.find()) {
          figures.put("submit jobs/s", number(drain.group(1)));
          figures.put("drain jobs/s", number(drain.group(2)));
          if (workload == Workload.IO) {
            double ideal = Benchmark.idealRate(taskMillis, workerCount());
            figures.put("% of ideal", 100 * number(drain.group(2)) / ideal);
          }
        }
        Matcher latency = LATENCY.matcher(line);
        if (latency.find()) {
          figures.put("p50 ms", number(latency.group(1)));
          figures.put("p90 ms", number(latency.group(2)));
          figures.put("p99 ms", number(latency.group(3)));
        }
      }
    }
    int exit = process.waitFor();
    if (exit != 0 || figures.isEmpty()) {
      throw new IllegalStateException(engine + " exited with " + exit + " and printed no figures");
    }
    figures.put("load before", loadBefore);
    figures.put("load after", Benchmark.loadAverage());
    return figures;
  }

  /** Every figure of both runs side by side, with ours / db-scheduler for the measured ones. */
  private static String describe(Map<String, Double> ours, Map<String, Double> theirs) {
    StringBuilder text = new StringBuilder();
    for (Map.Entry<String, Double> figure : ours.entrySet()) {
      String name = figure.getKey();
      Double their = theirs.get(name);
      if (their == null) {
        continue;
      }
      if (text.length() > 0) {
        text.append("   ");
      }
      if (name.startsWith("load")) {
        text.append(String.format(Locale.ROOT, "%s %.2f / %.2f", name, figure.getValue(), their));
      } else {
        text.append(
            String.format(
                Locale.ROOT,
                "%s %s / %s (%.2f)",
                name,
                format(figure.getValue()),
                format(their),
                figure.getValue() / their));
      }
    }
    return text + "   [ours / db-scheduler (ratio)]";
  }

  private static String format(double value) {
    return value >= 100
        ? String.format(Locale.ROOT, "%,.0f", value)
        : String.format(Locale.ROOT, "%.2f", value);
  }

  private static Map<String, Double> medians(List<Map<String, Double>> runs) {
    Map<String, Double> medians = new LinkedHashMap<>();
    for (String name : runs.get(0).keySet()) {
      List<Double> values = new ArrayList<>();
      for (Map<String, Double> run : runs) {
        values.add(run.get(name));
      }
      medians.put(name, Benchmark.median(values));
    }
    return medians;
  }

  private static double number(String text) {
    return Double.parseDouble(text.replace(",", ""));
  }

  private static String javaExecutable() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /**
   * The class path this class was loaded from: the class loader's URLs under {@code exec:java},
   * which runs us inside Maven's JVM, else the JVM's own class path.
   */
  private static String classPath() {
    if (Compare.class.getClassLoader() instanceof URLClassLoader loader) {
      List<String> entries = new ArrayList<>();
      for (URL url : loader.getURLs()) {
        try {
          entries.add(Path.of(url.toURI()).toString());
        } catch (URISyntaxException e) {
          throw new IllegalStateException("class path entry " + url, e);
        }
      }
      return String.join(File.pathSeparator, entries);
    }
    return System.getProperty("java.class.path");
  }
}

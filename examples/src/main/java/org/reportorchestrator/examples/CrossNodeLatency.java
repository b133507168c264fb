package org.reportorchestrator.examples;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.reportorchestrator.ReportOrchestrator;
import org.reportorchestrator.ReportRequest;
import org.reportorchestrator.ReportResult;
import org.reportorchestrator.jdbc.JdbcJobRepository;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Submit-to-start latency across nodes on PostgreSQL: node A only submits, node B (8 workers, the
 * default poll interval of 1 s) runs the jobs, each with a pool of its own on one set of tables, in
 * one JVM. Rounds with LISTEN/NOTIFY and without alternate, each on fresh tables, after one
 * unmeasured warm-up round; prints every round, then the medians of each kind.
 */
@Command(
    name = "cross-node-latency",
    mixinStandardHelpOptions = true,
    description =
        "Submit on one node, run on another (PostgreSQL): submit -> task start at a steady rate,"
            + " with notifications and without, alternating.")
public final class CrossNodeLatency implements Callable<Integer> {

  @Option(
      names = "--jdbc-url",
      required = true,
      description = "JDBC URL of the PostgreSQL database")
  String jdbcUrl;

  @Option(
      names = "--rate",
      defaultValue = "50",
      description = "submits per second (default ${DEFAULT-VALUE})")
  int rate;

  @Option(
      names = "--samples",
      defaultValue = "500",
      description = "measured jobs per round (default ${DEFAULT-VALUE})")
  int samples;

  @Option(
      names = "--pairs",
      defaultValue = "3",
      description = "pairs of rounds, with and without notifications (default ${DEFAULT-VALUE})")
  int pairs;

  private final PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);

  public static void main(String[] args) {
    System.exit(new CommandLine(new CrossNodeLatency()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    out.printf(
        Locale.ROOT,
        "cross-node latency: rate=%d/s samples=%d pairs=%d cores=%d java=%s load=%.2f%n",
        rate,
        samples,
        pairs,
        Runtime.getRuntime().availableProcessors(),
        Runtime.version(),
        Benchmark.loadAverage());
    round(true, "warm-up");
    List<double[]> with = new ArrayList<>();
    List<double[]> without = new ArrayList<>();
    for (int pair = 0; pair < pairs; pair++) {
      // alternate which kind goes first, so that neither always runs on a warmer JVM
      boolean notifyFirst = pair % 2 == 0;
      for (boolean notifications : new boolean[] {notifyFirst, !notifyFirst}) {
        double[] figures = round(notifications, "pair " + (pair + 1));
        (notifications ? with : without).add(figures);
      }
    }
    printMedians("with notifications   ", with);
    printMedians("without notifications", without);
    out.printf(Locale.ROOT, "load     %.2f at the end%n", Benchmark.loadAverage());
    return 0;
  }

  private double[] round(boolean notifications, String label) throws Exception {
    String prefix = "bench_" + UUID.randomUUID().toString().substring(0, 8) + "_";
    SteadyRateLatency latency =
        new SteadyRateLatency(rate, SteadyRateLatency.DEFAULT_WARM_UP_BURST, samples);
    List<ReportRequest> requests = new ArrayList<>();
    for (int i = 0; i < latency.jobCount(); i++) {
      requests.add(ReportRequest.of("probe", Map.of("i", Integer.toString(i))));
    }
    try (BenchmarkStores.Opened submitterStore =
            new BenchmarkStores.Opened(store(prefix, notifications), jdbcUrl, prefix);
        JdbcJobRepository workerStore = store(prefix, notifications);
        ReportOrchestrator submitter =
            ReportOrchestrator.builder()
                .repository(submitterStore.repository())
                .nodeId("node-a")
                .submitOnly("probe")
                .build();
        ReportOrchestrator worker =
            ReportOrchestrator.builder()
                .repository(workerStore)
                .nodeId("node-b")
                .workerCount(8)
                .register(
                    "probe",
                    context -> {
                      latency.started(context.intParameter("i"));
                      return ReportResult.empty();
                    })
                .build()) {
      worker.start();
      return latency.run(
          out,
          label + (notifications ? ", notifications" : ", polling only") + ": submit on node-a",
          i -> submitter.submit(requests.get(i)));
    }
  }

  private JdbcJobRepository store(String prefix, boolean notifications) {
    return JdbcJobRepository.builder()
        .jdbcUrl(jdbcUrl)
        .tablePrefix(prefix)
        .notifications(notifications)
        .build();
  }

  private void printMedians(String label, List<double[]> rounds) {
    double[] medians = new double[4];
    for (int k = 0; k < medians.length; k++) {
      List<Double> values = new ArrayList<>();
      for (double[] round : rounds) {
        values.add(round[k]);
      }
      medians[k] = Benchmark.median(values);
    }
    out.printf(
        Locale.ROOT,
        "median   %s over %d rounds: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms%n",
        label,
        rounds.size(),
        medians[0],
        medians[1],
        medians[2],
        medians[3]);
  }
}

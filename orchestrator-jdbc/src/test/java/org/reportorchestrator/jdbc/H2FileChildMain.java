package org.reportorchestrator.jdbc;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.reportorchestrator.JobId;
import org.reportorchestrator.ReportOrchestrator;
import org.reportorchestrator.ReportRequest;

/**
 * The child process of {@link H2FileProcessTest}, on the H2 file URL in {@code args[1]}:
 *
 * <p>Logging shares standard output, so the lines for the parent start with a word of their own.
 *
 * <ul>
 *   <li>{@code submit-then-halt <url> <count>} submits {@code count} jobs one at a time, prints
 *       {@code ack <id>} for each acknowledged job at once, then halts the JVM as a kill would,
 *       with no shutdown hooks;
 *   <li>{@code close-then-wait <url>} builds the store, closes it, prints {@code closed} and waits
 *       for its standard input to end before exiting.
 * </ul>
 */
final class H2FileChildMain {

  private H2FileChildMain() {}

  @SuppressForbidden // the parent process reads the acknowledged ids from standard output
  public static void main(String[] args) throws IOException {
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    String url = args[1];
    if (args[0].equals("close-then-wait")) {
      JdbcJobRepository.builder().jdbcUrl(url).build().close();
      out.println("closed");
      out.flush();
      System.in.readAllBytes();
      return;
    }
    int count = Integer.parseInt(args[2]);
    JdbcJobRepository store = JdbcJobRepository.builder().jdbcUrl(url).build();
    ReportOrchestrator orchestrator =
        ReportOrchestrator.builder().repository(store).submitOnly("sales").build();
    long started = System.nanoTime();
    for (int i = 0; i < count; i++) {
      JobId id = orchestrator.submit(ReportRequest.of("sales"));
      out.println("ack " + id);
      out.flush();
    }
    out.println("took-micros " + (System.nanoTime() - started) / 1_000);
    out.flush();
    Runtime.getRuntime().halt(0);
  }
}

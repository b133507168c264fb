package org.reportorchestrator.jdbc.processes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Starts {@link NodeMain} JVMs for one test and makes sure none outlives it: {@link #close()} stops
 * them (thawing frozen ones, killing those that do not stop), and a JVM shutdown hook kills any
 * still registered if the test JVM goes away first. A node also exits by itself when its stdin
 * closes, which happens when this JVM dies, however it dies.
 *
 * <p>Each node logs to {@code target/process-nodes/<test>/<node>.log} (and its stderr to {@code
 * .err} beside it), kept for diagnosis. Not thread-safe: one test drives it.
 */
final class NodeProcesses implements AutoCloseable {

  private static final Set<NodeProcess> LIVE = ConcurrentHashMap.newKeySet();
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(() -> LIVE.forEach(NodeProcess::destroyForcibly), "node-processes-reaper"));
  }

  private final String jdbcUrl;
  private final String tablePrefix;
  private final Path logDirectory;
  private final List<NodeProcess> started = new ArrayList<>();

  /**
   * @param testName names the folder of the nodes' logs
   */
  NodeProcesses(String jdbcUrl, String tablePrefix, String testName) {
    this.jdbcUrl = jdbcUrl;
    this.tablePrefix = tablePrefix;
    this.logDirectory = Path.of("target", "process-nodes", testName).toAbsolutePath();
    try {
      Files.createDirectories(logDirectory);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Where the nodes' logs go. */
  Path logDirectory() {
    return logDirectory;
  }

  /** Starts a node and waits until it printed {@code READY}. */
  NodeProcess start(NodeOptions options) throws IOException, InterruptedException {
    NodeProcess node = launch(options);
    node.awaitReady(READY_TIMEOUT);
    return node;
  }

  /** Starts several nodes at once, then waits until each is ready. */
  List<NodeProcess> startAll(List<NodeOptions> options) throws IOException, InterruptedException {
    List<NodeProcess> nodes = new ArrayList<>();
    for (NodeOptions option : options) {
      nodes.add(launch(option));
    }
    for (NodeProcess node : nodes) {
      node.awaitReady(READY_TIMEOUT);
    }
    return nodes;
  }

  /** Every node this harness started, dead or alive. */
  List<NodeProcess> nodes() {
    return List.copyOf(started);
  }

  /** The transitions every node printed so far. */
  List<TransitionLine> transitions() {
    List<TransitionLine> all = new ArrayList<>();
    started.forEach(node -> all.addAll(node.transitions()));
    return all;
  }

  private NodeProcess launch(NodeOptions options) throws IOException {
    Path log = logDirectory.resolve(options.node() + ".log");
    Path err = logDirectory.resolve(options.node() + ".err");
    Files.deleteIfExists(log);
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // small, quick-starting JVMs: several share two cores with the database and the test
    command.add("-Xmx256m");
    command.add("-XX:+UseSerialGC");
    command.add("-XX:TieredStopAtLevel=1");
    command.add(
        "-Dlogback.configurationFile=org/reportorchestrator/jdbc/processes/node-logback.xml");
    command.add("-Dnode.log.file=" + log);
    command.add("-cp");
    // surefire puts the test class path here even when it starts the JVM from a manifest jar
    command.add(System.getProperty("java.class.path"));
    command.add(NodeMain.class.getName());
    command.addAll(options.arguments(jdbcUrl, tablePrefix));
    Process process =
        new ProcessBuilder(command)
            .redirectInput(ProcessBuilder.Redirect.PIPE)
            .redirectError(err.toFile())
            .start();
    NodeProcess node = new NodeProcess(options.node(), process, log, err);
    started.add(node);
    LIVE.add(node);
    return node;
  }

  /**
   * Stops every node that still runs (killing those that do not stop in time). Keeps the interrupt
   * flag if interrupted, and kills what is left then.
   */
  @Override
  public void close() {
    for (NodeProcess node : started) {
      try {
        if (node.isAlive() && !Thread.currentThread().isInterrupted()) {
          node.stop(STOP_TIMEOUT);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException e) {
        // killed below
      } finally {
        node.destroyForcibly();
        LIVE.remove(node);
      }
    }
  }
}

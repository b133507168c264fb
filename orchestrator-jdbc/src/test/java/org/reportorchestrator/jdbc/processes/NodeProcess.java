package org.reportorchestrator.jdbc.processes;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * One running {@link NodeMain} JVM: reads its stdout as it comes, and kills, freezes, thaws or
 * stops it. Made by {@link NodeProcesses}, which also cleans it up. Thread-safe.
 */
final class NodeProcess {

  private final String node;
  private final Process process;
  private final Path logFile;
  private final Path errFile;
  private final List<String> lines = new ArrayList<>();
  private final List<TransitionLine> transitions = new ArrayList<>();
  private final CompletableFuture<Void> ready = new CompletableFuture<>();
  private final CompletableFuture<Void> outputEnded = new CompletableFuture<>();
  private volatile boolean frozen;

  NodeProcess(String node, Process process, Path logFile, Path errFile) {
    this.node = node;
    this.process = process;
    this.logFile = logFile;
    this.errFile = errFile;
    Thread reader = new Thread(this::readOutput, "node-output-" + node);
    reader.setDaemon(true);
    reader.start();
  }

  String node() {
    return node;
  }

  long pid() {
    return process.pid();
  }

  Path logFile() {
    return logFile;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Waits for the {@code READY} line; fails with the node's stderr if it exits first. */
  void awaitReady(Duration timeout) throws InterruptedException {
    try {
      ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "node "
              + node
              + " did not become ready in "
              + timeout
              + "; stderr:\n"
              + tail(errFile)
              + "\nlog:\n"
              + tail(logFile),
          e);
    }
  }

  /** SIGKILL: the JVM dies at once, running no shutdown hook. Waits until it is gone. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("node " + node + " survived SIGKILL for 30 s");
    }
    awaitOutputEnd();
  }

  /** SIGSTOP: every thread of the JVM stops where it is, sockets stay open. */
  void freeze() throws IOException, InterruptedException {
    signal("STOP");
    frozen = true;
  }

  /** SIGCONT after {@link #freeze()}. */
  void thaw() throws IOException, InterruptedException {
    signal("CONT");
    frozen = false;
  }

  boolean isFrozen() {
    return frozen;
  }

  /**
   * A clean stop: closes the node's stdin, which makes it close its orchestrator; waits for it to
   * exit, and kills it if it does not within {@code timeout}.
   *
   * @return whether it exited by itself
   */
  boolean stop(Duration timeout) throws InterruptedException {
    if (frozen) {
      try {
        thaw();
      } catch (IOException e) {
        // it may be gone already; the kill below settles it
      }
    }
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      // the pipe is already closed: the process is on its way out
    }
    boolean exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (!exited) {
      kill();
    }
    awaitOutputEnd();
    return exited;
  }

  /** Every stdout line so far. */
  synchronized List<String> lines() {
    return List.copyOf(lines);
  }

  /** The stdout lines so far that start with {@code tag} and a space. */
  synchronized List<String> lines(String tag) {
    List<String> tagged = new ArrayList<>();
    for (String line : lines) {
      if (line.startsWith(tag + " ")) {
        tagged.add(line);
      }
    }
    return tagged;
  }

  /** The transitions this node wrote and printed so far, in the order it printed them. */
  synchronized List<TransitionLine> transitions() {
    return List.copyOf(transitions);
  }

  synchronized List<TransitionLine> transitions(Predicate<TransitionLine> filter) {
    return transitions.stream().filter(filter).toList();
  }

  /** The node's log file, as far as it was written. */
  String log() {
    try {
      return Files.exists(logFile) ? Files.readString(logFile, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Kills the process if it still runs; for the harness's last-resort cleanup. */
  void destroyForcibly() {
    process.destroyForcibly();
  }

  private void signal(String name) throws IOException, InterruptedException {
    Process kill =
        new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
            .redirectErrorStream(true)
            .start();
    String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (kill.waitFor() != 0) {
      throw new IOException("kill -" + name + " " + process.pid() + " failed: " + output);
    }
  }

  private void awaitOutputEnd() throws InterruptedException {
    try {
      outputEnded.get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("the output of node " + node + " did not end", e);
    }
  }

  private void readOutput() {
    try (BufferedReader reader =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        take(line);
      }
    } catch (IOException e) {
      // the stream ends with the process
    } finally {
      ready.completeExceptionally(new IllegalStateException("node " + node + " exited"));
      outputEnded.complete(null);
    }
  }

  private synchronized void take(String line) {
    lines.add(line);
    if (TransitionLine.isOne(line)) {
      transitions.add(TransitionLine.parse(line));
    } else if (line.startsWith("READY ")) {
      ready.complete(null);
    }
  }

  private static String tail(Path file) {
    try {
      if (!Files.exists(file)) {
        return "(no " + file.getFileName() + ")";
      }
      List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - 40), all.size()));
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  @Override
  public String toString() {
    return "node " + node + " (pid " + process.pid() + ")";
  }
}

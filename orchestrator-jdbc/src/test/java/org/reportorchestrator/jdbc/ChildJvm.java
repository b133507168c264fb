package org.reportorchestrator.jdbc;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/** Starts a test class's {@code main} in a JVM of its own, on this JVM's test classpath. */
final class ChildJvm {

  private ChildJvm() {}

  /**
   * Starts {@code main} with {@code args} on the entries of this JVM's classpath that {@code keep}
   * accepts; its standard error is inherited, its standard output is the process's input stream.
   */
  static Process start(Class<?> main, Predicate<String> keep, String... args) throws IOException {
    String classpath =
        Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
            .filter(keep)
            .collect(Collectors.joining(File.pathSeparator));
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(classpath);
    command.add(main.getName());
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }
}

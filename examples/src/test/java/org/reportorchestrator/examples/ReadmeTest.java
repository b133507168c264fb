package org.reportorchestrator.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Keeps the README's statements true where code can check them: its Java snippet is the compiled
 * {@link ReadmeExample}, and its quickstart command runs that class.
 */
class ReadmeTest {

  private static final Path README = Path.of("..", "README.md");
  private static final Path EXAMPLE =
      Path.of("src/main/java/org/reportorchestrator/examples/ReadmeExample.java");

  @Test
  void theReadmesJavaSnippetIsTheTaggedPartOfReadmeExample() throws IOException {
    List<String> javaBlocks = blocks(read(README), "java");
    assertThat(javaBlocks).hasSize(1);
    assertThat(javaBlocks.get(0)).isEqualTo(taggedRegion(read(EXAMPLE), "readme"));
  }

  @Test
  void theReadmesQuickstartCommandRunsReadmeExample() throws IOException {
    String readme = read(README);
    assertThat(blocks(readme, "sh"))
        .contains("mvn -q -pl examples -am -Dquickstart -DskipErrorProne process-classes\n");
    String pom = read(Path.of("pom.xml"));
    int start = pom.indexOf("<id>quickstart</id>");
    String profile = pom.substring(start, pom.indexOf("</profile>", start));
    assertThat(profile).contains("<mainClass>" + ReadmeExample.class.getName() + "</mainClass>");
  }

  private static String read(Path file) throws IOException {
    return Files.readString(file, StandardCharsets.UTF_8).replace("\r\n", "\n");
  }

  /** The contents of every fenced block of {@code language}, each ending with a newline. */
  static List<String> blocks(String markdown, String language) {
    Matcher block =
        Pattern.compile("(?ms)^```" + Pattern.quote(language) + "\n(.*?)^```$").matcher(markdown);
    List<String> found = new ArrayList<>();
    while (block.find()) {
      found.add(block.group(1));
    }
    return found;
  }

  /** The lines between {@code // tag::name[]} and {@code // end::name[]}, less their indent. */
  private static String taggedRegion(String source, String name) {
    Matcher region =
        Pattern.compile(
                "(?ms)^[ \\t]*// tag::" + name + "\\[\\]\n(.*?)^[ \\t]*// end::" + name + "\\[\\]")
            .matcher(source);
    assertThat(region.find()).as("a region tagged '%s'", name).isTrue();
    List<String> lines = region.group(1).lines().toList();
    int indent =
        lines.stream()
            .filter(line -> !line.isBlank())
            .mapToInt(line -> line.length() - line.stripLeading().length())
            .min()
            .orElse(0);
    StringBuilder text = new StringBuilder();
    for (String line : lines) {
      text.append(line.isBlank() ? "" : line.substring(indent)).append('\n');
    }
    return text.toString();
  }
}

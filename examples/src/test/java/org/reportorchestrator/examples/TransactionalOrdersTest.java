package org.reportorchestrator.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class TransactionalOrdersTest {

  @Test
  void committedOrderHasItsInvoiceAndRolledBackOrderLeavesNeitherOrderNorJob() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    String url = "jdbc:h2:mem:orders-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";

    int exitCode = new CommandLine(new TransactionalOrders(out)).execute("--jdbc-url", url);

    String output = bytes.toString(StandardCharsets.UTF_8);
    assertThat(exitCode).as(output).isZero();
    assertThat(output)
        .containsPattern("invoice job \\S+: COMPLETED, 'Invoice for order A-1001'")
        .contains("rolled back: payment declined")
        .containsPattern("invoice job \\S+ exists: false; order A-1002 exists: false")
        .contains("orders stored: [A-1001]");
    // the first invoice is heard submitted, claimed and completed; the rolled back one never
    assertThat(output.lines().filter(line -> line.startsWith("  listener:"))).hasSize(3);
  }
}

package org.reportorchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import org.junit.jupiter.api.Test;

class JobErrorTest {

  @Test
  void aMessageCutAtItsLimitKeepsSurrogatePairsWhole() {
    String message = "a".repeat(JobError.MAX_MESSAGE_LENGTH - 4) + "\uD83D\uDE00" + "b".repeat(10);

    JobError error = new JobError("X", message, "trace");

    assertThat(error.message()).isEqualTo("a".repeat(JobError.MAX_MESSAGE_LENGTH - 4) + "...");
  }

  @Test
  void nulAndUnpairedSurrogatesAreReplacedSoEveryStoreKeepsTheError() {
    JobError error = new JobError("X\u0000", "a\u0000b\uD800c\uDC00d\uD83D\uDE00", "t\uDBFF");

    assertThat(error.type()).isEqualTo("X\uFFFD");
    assertThat(error.message()).isEqualTo("a\uFFFDb\uFFFDc\uFFFDd\uD83D\uDE00");
    assertThat(error.stackTrace()).isEqualTo("t\uFFFD");
  }

  @Test
  void aThrowableWhoseGetMessageThrowsIsStillRecorded() {
    JobError error = JobError.of(new Hostile(true, false));

    assertThat(error.type()).isEqualTo(Hostile.class.getName());
    assertThat(error.message()).isEqualTo("<getMessage() threw java.lang.IllegalStateException>");
    assertThat(error.stackTrace()).contains("<printing the stack trace threw");
  }

  @Test
  void aThrowableWhosePrintStackTraceThrowsIsStillRecorded() {
    JobError error = JobError.of(new Hostile(false, true));

    assertThat(error.message()).isEqualTo("fine");
    assertThat(error.stackTrace())
        .startsWith(Hostile.class.getName() + ": <printing the stack trace threw")
        .contains("java.lang.UnsupportedOperationException");
  }

  private static final class Hostile extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final boolean messageThrows;
    private final boolean traceThrows;

    Hostile(boolean messageThrows, boolean traceThrows) {
      this.messageThrows = messageThrows;
      this.traceThrows = traceThrows;
    }

    @Override
    public String getMessage() {
      if (messageThrows) {
        throw new IllegalStateException("no message");
      }
      return "fine";
    }

    @Override
    public void printStackTrace(PrintWriter writer) {
      if (traceThrows) {
        throw new UnsupportedOperationException("no trace");
      }
      super.printStackTrace(writer);
    }
  }
}

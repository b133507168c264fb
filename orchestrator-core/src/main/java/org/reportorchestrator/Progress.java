package org.reportorchestrator;

import org.jspecify.annotations.Nullable;

/**
 * How far a running job says it has come. Immutable and thread-safe.
 *
 * @param percent 0 to 100
 * @param message what the task is doing, if it said
 */
public record Progress(int percent, @Nullable String message) {

  /**
   * The longest progress message kept; longer ones are cut at a code point boundary, and NUL
   * characters and unpaired surrogates, which no store keeps, are replaced by U+FFFD.
   */
  public static final int MAX_MESSAGE_LENGTH = 500;

  /** No progress reported yet. */
  public static final Progress NONE = new Progress(0, null);

  public Progress {
    if (percent < 0 || percent > 100) {
      throw new IllegalArgumentException("progress percent must be between 0 and 100: " + percent);
    }
    if (message != null) {
      message = StoredText.sanitize(message, MAX_MESSAGE_LENGTH);
    }
  }
}

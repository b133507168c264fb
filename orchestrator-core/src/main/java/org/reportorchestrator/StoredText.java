package org.reportorchestrator;

import org.jspecify.annotations.Nullable;

/**
 * The one rule for text that a store keeps, so that every store keeps exactly what it accepted:
 * well-formed UTF-16 (no surrogate without its partner, which PostgreSQL and H2 would turn into
 * {@code ?}) and no NUL (U+0000, which PostgreSQL refuses). Lengths count UTF-16 chars, as {@link
 * String#length()} does: never fewer than code points, so a limit in chars also holds for a column
 * that counts code points. Stateless.
 */
final class StoredText {

  /**
   * What stands in, in text that is sanitized rather than refused, for a character unfit to keep.
   */
  static final char REPLACEMENT = '\uFFFD';

  private StoredText() {}

  /**
   * Returns {@code value} if a store can keep it as it is and it has at most {@code maxLength}
   * chars.
   *
   * @throws IllegalArgumentException naming {@code field} otherwise
   */
  static String require(String field, String value, int maxLength) {
    if (value.length() > maxLength) {
      throw new IllegalArgumentException(
          field + " is " + value.length() + " characters long; the limit is " + maxLength);
    }
    return require(field, value);
  }

  /**
   * Returns {@code value} if a store can keep it as it is.
   *
   * @throws IllegalArgumentException naming {@code field} otherwise
   */
  static String require(String field, String value) {
    String problem = problem(value);
    if (problem != null) {
      throw new IllegalArgumentException(field + " " + problem);
    }
    return value;
  }

  /** Why a store cannot keep {@code value} as it is, or {@code null} if it can. */
  static @Nullable String problem(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\0') {
        return "contains a NUL character (U+0000) at index " + i + ", which no store keeps";
      }
      if (Character.isHighSurrogate(c)
          && i + 1 < value.length()
          && Character.isLowSurrogate(value.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return "contains an unpaired surrogate U+"
            + Integer.toHexString(c).toUpperCase(java.util.Locale.ROOT)
            + " at index "
            + i
            + " (not well-formed UTF-16), which no store keeps";
      }
    }
    return null;
  }

  /**
   * {@code text} made fit to keep: every NUL and unpaired surrogate replaced by {@link
   * #REPLACEMENT}, and if longer than {@code maxLength} chars, cut at a code point boundary and
   * ended with {@code "..."}. For text nobody typed in (exception messages, stack traces), which is
   * worth keeping even when imperfect.
   */
  static String sanitize(String text, int maxLength) {
    StringBuilder out = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean pair =
          Character.isHighSurrogate(c)
              && i + 1 < text.length()
              && Character.isLowSurrogate(text.charAt(i + 1));
      if (pair) {
        if (out != null) {
          out.append(c).append(text.charAt(i + 1));
        }
        i++;
      } else if (c == '\0' || Character.isSurrogate(c)) {
        if (out == null) {
          out = new StringBuilder(text.length()).append(text, 0, i);
        }
        out.append(REPLACEMENT);
      } else if (out != null) {
        out.append(c);
      }
    }
    String clean = out == null ? text : out.toString();
    if (clean.length() <= maxLength) {
      return clean;
    }
    int end = maxLength - 3;
    if (Character.isLowSurrogate(clean.charAt(end))
        && Character.isHighSurrogate(clean.charAt(end - 1))) {
      end--;
    }
    return clean.substring(0, end) + "...";
  }
}

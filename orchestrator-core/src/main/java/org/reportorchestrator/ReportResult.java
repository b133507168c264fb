package org.reportorchestrator;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link ReportTask} produces: content with its type, an optional file name and a few
 * metadata entries. Immutable and thread-safe; the {@code with...} methods return copies.
 *
 * <p>Every store keeps a result's text exactly as given, so text it could not keep is refused here,
 * the same whichever store is used: the content type, the file name and every metadata key and
 * value must be well-formed UTF-16 (no surrogate without its partner), contain no NUL character
 * (U+0000) and fit their limits, counted in UTF-16 chars ({@link String#length()}).
 */
public final class ReportResult {

  /** The most metadata entries a result may carry. */
  public static final int MAX_METADATA_ENTRIES = 32;

  /** The longest metadata key or value. */
  public static final int MAX_METADATA_LENGTH = 1_000;

  /** The longest content type; the JDBC store's column holds 255 characters. */
  public static final int MAX_CONTENT_TYPE_LENGTH = 255;

  /** The longest file name; the JDBC store's column holds 1,000 characters. */
  public static final int MAX_FILE_NAME_LENGTH = 1_000;

  private static final byte[] NO_BYTES = new byte[0];

  private final byte[] content;
  private final String contentType;
  private final @Nullable String fileName;
  private final Map<String, String> metadata;

  private ReportResult(
      byte[] content, String contentType, @Nullable String fileName, Map<String, String> metadata) {
    this.content = content;
    this.contentType = contentType;
    this.fileName = fileName;
    this.metadata = metadata;
  }

  /** Text content, stored as UTF-8. */
  public static ReportResult ofText(String text, String contentType) {
    Objects.requireNonNull(text, "text");
    return ofBytes(text.getBytes(StandardCharsets.UTF_8), contentType);
  }

  /** Binary content; the array is copied. */
  public static ReportResult ofBytes(byte[] content, String contentType) {
    Objects.requireNonNull(content, "content");
    if (contentType == null || contentType.isBlank()) {
      throw new IllegalArgumentException("contentType must not be blank");
    }
    StoredText.require("contentType", contentType, MAX_CONTENT_TYPE_LENGTH);
    return new ReportResult(content.clone(), contentType, null, Map.of());
  }

  /** A result with no content, for tasks whose effect lies elsewhere (an e-mail, a file share). */
  public static ReportResult empty() {
    return new ReportResult(NO_BYTES, "application/octet-stream", null, Map.of());
  }

  public ReportResult withFileName(String fileName) {
    if (fileName == null || fileName.isBlank()) {
      throw new IllegalArgumentException("fileName must not be blank");
    }
    StoredText.require("fileName", fileName, MAX_FILE_NAME_LENGTH);
    return new ReportResult(content, contentType, fileName, metadata);
  }

  /**
   * Adds one metadata entry, such as a row count; keep them small, they are stored with the job.
   */
  public ReportResult withMetadata(String key, String value) {
    if (key == null || key.isBlank()) {
      throw new IllegalArgumentException("metadata keys must not be blank");
    }
    if (value == null) {
      throw new IllegalArgumentException("metadata '" + key + "' has a null value");
    }
    if (key.length() > MAX_METADATA_LENGTH || value.length() > MAX_METADATA_LENGTH) {
      throw new IllegalArgumentException(
          "metadata '" + key + "' is longer than " + MAX_METADATA_LENGTH + " characters");
    }
    StoredText.require("a metadata key", key);
    StoredText.require("the value of metadata '" + key + "'", value);
    Map<String, String> copy = new LinkedHashMap<>(metadata);
    copy.put(key, value);
    if (copy.size() > MAX_METADATA_ENTRIES) {
      throw new IllegalArgumentException(
          "a result may carry at most " + MAX_METADATA_ENTRIES + " metadata entries");
    }
    return new ReportResult(
        content, contentType, fileName, java.util.Collections.unmodifiableMap(copy));
  }

  /** A copy of the content. */
  public byte[] bytes() {
    return content.clone();
  }

  /** The content decoded as UTF-8. */
  public String text() {
    return new String(content, StandardCharsets.UTF_8);
  }

  public InputStream openStream() {
    return new ByteArrayInputStream(content);
  }

  public long sizeBytes() {
    return content.length;
  }

  public String contentType() {
    return contentType;
  }

  public @Nullable String fileName() {
    return fileName;
  }

  public Map<String, String> metadata() {
    return metadata;
  }

  /** The description stored with the job. */
  public ResultInfo info() {
    return new ResultInfo(contentType, fileName, content.length, metadata);
  }

  @Override
  public boolean equals(@Nullable Object other) {
    return other instanceof ReportResult that
        && Arrays.equals(content, that.content)
        && contentType.equals(that.contentType)
        && Objects.equals(fileName, that.fileName)
        && metadata.equals(that.metadata);
  }

  @Override
  public int hashCode() {
    return Objects.hash(Arrays.hashCode(content), contentType, fileName, metadata);
  }

  @Override
  public String toString() {
    return "ReportResult["
        + contentType
        + ", "
        + content.length
        + " bytes"
        + (fileName == null ? "" : ", " + fileName)
        + ", metadata="
        + metadata
        + "]";
  }
}

package org.reportorchestrator;

/**
 * Thrown when a task's result is larger than the store accepts. The job fails with this error; it
 * is not retried, since a rerun would produce the same result.
 */
public final class ResultTooLargeException extends DataRejectedException {

  private static final long serialVersionUID = 1L;

  private final long sizeBytes;
  private final long limitBytes;

  public ResultTooLargeException(long sizeBytes, long limitBytes) {
    super("report result of " + sizeBytes + " bytes exceeds the limit of " + limitBytes + " bytes");
    this.sizeBytes = sizeBytes;
    this.limitBytes = limitBytes;
  }

  public long sizeBytes() {
    return sizeBytes;
  }

  public long limitBytes() {
    return limitBytes;
  }
}

package org.reportorchestrator.internal;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.UUID;
import org.reportorchestrator.JobId;

/**
 * Makes time-ordered (version 7) UUIDs, so that new rows land at the end of a B-tree index rather
 * than at random places in it.
 */
public final class JobIds {

  private static final SecureRandom RANDOM = new SecureRandom();

  private JobIds() {}

  public static JobId next(Instant now) {
    long millis = now.toEpochMilli();
    long randA = RANDOM.nextInt(1 << 12);
    long mostSignificant = (millis << 16) | 0x7000L | randA;
    long leastSignificant = (RANDOM.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    return new JobId(new UUID(mostSignificant, leastSignificant));
  }
}

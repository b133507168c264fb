package org.reportorchestrator.internal;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.reportorchestrator.JobId;

/**
 * Makes time-ordered (version 7) UUIDs: new rows land at the end of a B-tree index rather than at
 * random places in it, and jobs submitted in the same millisecond keep their submit order (a 12-bit
 * counter follows the timestamp, as RFC 9562 method 1 allows), which stores use as the last
 * tie-break of the claim order.
 */
public final class JobIds {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final long VERSION_7 = 0x7000L;
  private static final AtomicLong LAST_HIGH_BITS = new AtomicLong();

  private JobIds() {}

  public static JobId next(Instant now) {
    long floor = (now.toEpochMilli() << 16) | VERSION_7;
    long previous;
    long next;
    do {
      previous = LAST_HIGH_BITS.get();
      next = floor > previous ? floor : previous + 1;
      if ((next & 0xF000L) != VERSION_7) {
        // The counter ran over within one millisecond: borrow the next millisecond.
        next = (((previous >>> 16) + 1) << 16) | VERSION_7;
      }
    } while (!LAST_HIGH_BITS.compareAndSet(previous, next));
    long leastSignificant = (RANDOM.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    return new JobId(new UUID(next, leastSignificant));
  }
}

package org.reportorchestrator.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * How many claimed jobs a node keeps waiting for its threads: enough that a thread finds its next
 * job at hand, never so many that short jobs sit here while another node could run them, and none
 * of jobs that run long next to a claim.
 */
class WorkerQueueLengthTest {

  private static final long CLAIM = Duration.ofMillis(2).toNanos();

  @Test
  void nothingIsQueuedBeforeAJobHasEnded() {
    assertThat(WorkerPool.queueLength(32, 0, CLAIM)).isZero();
  }

  @Test
  void jobsOfAFewClaimsQueueOneWaveOfThreads() {
    // 20 ms jobs, 2 ms claims: four claims' worth is 12.8 jobs, but 32 threads end together
    assertThat(WorkerPool.queueLength(32, Duration.ofMillis(20).toNanos(), CLAIM)).isEqualTo(32);
  }

  @Test
  void veryShortJobsQueueWhatTheThreadsFinishDuringFourClaimsUpToEightPerThread() {
    assertThat(WorkerPool.queueLength(8, Duration.ofMillis(4).toNanos(), CLAIM)).isEqualTo(16);
    assertThat(WorkerPool.queueLength(8, Duration.ofMillis(1).toNanos(), CLAIM)).isEqualTo(64);
    assertThat(WorkerPool.queueLength(8, Duration.ofNanos(1_000).toNanos(), CLAIM)).isEqualTo(64);
  }

  @Test
  void jobsOfAHundredClaimsOrMoreStayInTheStore() {
    long hundredClaims = 100 * CLAIM;
    assertThat(WorkerPool.queueLength(32, hundredClaims - 1, CLAIM)).isEqualTo(32);
    assertThat(WorkerPool.queueLength(32, hundredClaims, CLAIM)).isEqualTo(1);
    assertThat(WorkerPool.queueLength(8, Duration.ofMinutes(5).toNanos(), CLAIM)).isZero();
  }

  @Test
  void slowClaimsDoNotMakeJobsOfASecondOrMoreQueueAWave() {
    long slowClaim = Duration.ofMillis(100).toNanos();
    // two seconds are only 20 such claims, but a wave of them would wait two seconds here
    assertThat(WorkerPool.queueLength(32, Duration.ofSeconds(2).toNanos(), slowClaim)).isEqualTo(6);
    long stalledClaim = Duration.ofSeconds(20).toNanos();
    assertThat(WorkerPool.queueLength(8, Duration.ofMinutes(4).toNanos(), stalledClaim))
        .isEqualTo(2);
  }
}

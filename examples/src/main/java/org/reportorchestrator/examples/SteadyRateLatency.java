package org.reportorchestrator.examples;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Submit-to-start latency at a steady submit rate, shared by {@link Benchmark} and {@link
 * DbSchedulerBenchmark} so that both measure and print it alike. Job {@code i} is submitted at
 * {@code i / rate} seconds after the first; the submit time is taken just before the engine's
 * submit call, the start time inside the task, as its first action. Thread-safe: tasks call {@link
 * #started} from any thread.
 */
final class SteadyRateLatency {

  /** Jobs submitted at the same rate before the measured ones, and not counted. */
  static final int WARM_UP = 50;

  /** Submits job {@code index}; the task it runs must call {@link #started(int)} first. */
  @FunctionalInterface
  interface Submitter {
    void submit(int index) throws Exception;
  }

  private final int rate;
  private final int samples;
  private final AtomicLongArray submittedNanos;
  private final AtomicLongArray startedNanos;
  private final CountDownLatch allStarted;

  SteadyRateLatency(int rate, int samples) {
    if (rate < 1 || samples < 1) {
      throw new IllegalArgumentException("rate and samples must be positive");
    }
    this.rate = rate;
    this.samples = samples;
    this.submittedNanos = new AtomicLongArray(WARM_UP + samples);
    this.startedNanos = new AtomicLongArray(WARM_UP + samples);
    this.allStarted = new CountDownLatch(WARM_UP + samples);
  }

  /** Called by the task of job {@code index} as soon as it runs. */
  void started(int index) {
    if (startedNanos.compareAndSet(index, 0, System.nanoTime())) {
      allStarted.countDown();
    }
  }

  /**
   * Submits every job on schedule, waits until all started, prints the percentiles.
   *
   * @return p50, p90, p99 and max, in milliseconds
   */
  double[] run(PrintStream out, String submitLabel, Submitter submitter) throws Exception {
    long period = TimeUnit.SECONDS.toNanos(1) / rate;
    long first = System.nanoTime();
    for (int i = 0; i < WARM_UP + samples; i++) {
      long due = first + i * period;
      for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
        LockSupport.parkNanos(wait);
      }
      submittedNanos.set(i, System.nanoTime());
      submitter.submit(i);
    }
    if (!allStarted.await(1, TimeUnit.MINUTES)) {
      throw new IllegalStateException(
          allStarted.getCount() + " jobs did not start within a minute of the last submit");
    }
    long[] micros = new long[samples];
    for (int i = 0; i < samples; i++) {
      micros[i] = (startedNanos.get(WARM_UP + i) - submittedNanos.get(WARM_UP + i)) / 1_000;
    }
    Arrays.sort(micros);
    double[] millis = {
      Benchmark.percentile(micros, 0.50) / 1e3,
      Benchmark.percentile(micros, 0.90) / 1e3,
      Benchmark.percentile(micros, 0.99) / 1e3,
      micros[micros.length - 1] / 1e3
    };
    out.printf(
        Locale.ROOT,
        "latency  %s -> task start at %d/s, %d jobs (%d unmeasured first): p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms%n",
        submitLabel,
        rate,
        samples,
        WARM_UP,
        millis[0],
        millis[1],
        millis[2],
        millis[3]);
    return millis;
  }
}

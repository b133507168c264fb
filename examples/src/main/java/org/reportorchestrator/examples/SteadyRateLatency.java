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
 * DbSchedulerBenchmark} so that both measure and print it alike. First a burst of unmeasured jobs
 * is submitted back to back, one submit call each, and run: the JIT compiles the submit and claim
 * paths of both engines, as in a host that has run for a while, instead of the measurement timing
 * the interpreter (it did: 500 single submits at 50/s took 2.0 ms each at the median against 1.4 ms
 * after 5,000 earlier ones). Then job {@code i} is submitted at {@code i / rate} seconds after the
 * first; the submit time is taken just before the engine's submit call, the start time inside the
 * task, as its first action. Thread-safe: tasks call {@link #started} from any thread.
 */
final class SteadyRateLatency {

  /** Jobs submitted at the same rate before the measured ones, and not counted. */
  static final int WARM_UP = 50;

  /** The default burst of unmeasured jobs before the steady rate begins. */
  static final int DEFAULT_WARM_UP_BURST = 2_000;

  /** Submits job {@code index}; the task it runs must call {@link #started(int)} first. */
  @FunctionalInterface
  interface Submitter {
    void submit(int index) throws Exception;
  }

  private final int rate;
  private final int burst;
  private final int samples;
  private final AtomicLongArray submittedNanos;
  private final AtomicLongArray returnedNanos;
  private final AtomicLongArray startedNanos;
  private final CountDownLatch allStarted;
  private final CountDownLatch burstStarted;

  SteadyRateLatency(int rate, int burst, int samples) {
    if (rate < 1 || samples < 1 || burst < 0) {
      throw new IllegalArgumentException(
          "rate and samples must be positive and the warm-up burst not negative");
    }
    this.rate = rate;
    this.burst = burst;
    this.samples = samples;
    this.submittedNanos = new AtomicLongArray(jobCount());
    this.returnedNanos = new AtomicLongArray(jobCount());
    this.startedNanos = new AtomicLongArray(jobCount());
    this.allStarted = new CountDownLatch(jobCount());
    this.burstStarted = new CountDownLatch(burst);
  }

  /** How many jobs {@link #run} submits, indexed from 0: the burst, the warm-up, the measured. */
  int jobCount() {
    return burst + WARM_UP + samples;
  }

  /** Called by the task of job {@code index} as soon as it runs. */
  void started(int index) {
    if (startedNanos.compareAndSet(index, 0, System.nanoTime())) {
      allStarted.countDown();
      if (index < burst) {
        burstStarted.countDown();
      }
    }
  }

  /**
   * Submits every job on schedule, waits until all started, prints the percentiles.
   *
   * @return p50, p90, p99 and max, in milliseconds
   */
  double[] run(PrintStream out, String submitLabel, Submitter submitter) throws Exception {
    for (int i = 0; i < burst; i++) {
      submitter.submit(i);
    }
    if (!burstStarted.await(1, TimeUnit.MINUTES)) {
      throw new IllegalStateException(
          burstStarted.getCount() + " jobs of the warm-up burst did not start within a minute");
    }
    long period = TimeUnit.SECONDS.toNanos(1) / rate;
    long first = System.nanoTime();
    for (int i = burst; i < jobCount(); i++) {
      long due = first + (i - burst) * period;
      for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
        LockSupport.parkNanos(wait);
      }
      submittedNanos.set(i, System.nanoTime());
      submitter.submit(i);
      returnedNanos.set(i, System.nanoTime());
    }
    if (!allStarted.await(1, TimeUnit.MINUTES)) {
      throw new IllegalStateException(
          allStarted.getCount() + " jobs did not start within a minute of the last submit");
    }
    long[] micros = new long[samples];
    long[] inCall = new long[samples];
    long[] afterCall = new long[samples];
    for (int i = 0; i < samples; i++) {
      int job = burst + WARM_UP + i;
      micros[i] = (startedNanos.get(job) - submittedNanos.get(job)) / 1_000;
      inCall[i] = (returnedNanos.get(job) - submittedNanos.get(job)) / 1_000;
      afterCall[i] = (startedNanos.get(job) - returnedNanos.get(job)) / 1_000;
    }
    Arrays.sort(micros);
    Arrays.sort(inCall);
    Arrays.sort(afterCall);
    double[] millis = {
      Benchmark.percentile(micros, 0.50) / 1e3,
      Benchmark.percentile(micros, 0.90) / 1e3,
      Benchmark.percentile(micros, 0.99) / 1e3,
      micros[micros.length - 1] / 1e3
    };
    out.printf(
        Locale.ROOT,
        "latency  %s -> task start at %d/s, %d jobs (%d unmeasured first, after a burst of %d): p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms%n",
        submitLabel,
        rate,
        samples,
        WARM_UP,
        burst,
        millis[0],
        millis[1],
        millis[2],
        millis[3]);
    out.printf(
        Locale.ROOT,
        "latency  of which in the %s call: p50 %.2f ms, p99 %.2f ms; from its return to the start (negative: started before it returned): p50 %.2f ms, p99 %.2f ms%n",
        submitLabel,
        Benchmark.percentile(inCall, 0.50) / 1e3,
        Benchmark.percentile(inCall, 0.99) / 1e3,
        Benchmark.percentile(afterCall, 0.50) / 1e3,
        Benchmark.percentile(afterCall, 0.99) / 1e3);
    return millis;
  }
}

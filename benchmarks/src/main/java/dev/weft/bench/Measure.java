package dev.weft.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Timing helpers: warm-up, then repetitions; results are raw values and their median. */
final class Measure {
  private Measure() {}

  interface Timed {
    void run(int rep) throws Exception;
  }

  /** Seconds per repetition of {@code op}, after {@code warmups} untimed runs. */
  static List<Double> seconds(int warmups, int reps, Timed op) throws Exception {
    for (int i = 0; i < warmups; i++) {
      op.run(-1 - i);
    }
    List<Double> out = new ArrayList<>();
    for (int i = 0; i < reps; i++) {
      long t0 = System.nanoTime();
      op.run(i);
      out.add((System.nanoTime() - t0) / 1e9);
    }
    return out;
  }

  interface Op {
    /** Runs operation number {@code i} of a repetition and returns the rows it produced. */
    long run(int rep, int i) throws Exception;
  }

  /**
   * Rows per second: each repetition runs operations until {@code maxOps} or {@code seconds} is
   * reached (at least {@code minOps}); the rate is rows / elapsed. A warm-up repetition first.
   */
  static List<Double> rate(int reps, int minOps, int maxOps, double seconds, Op op) throws Exception {
    List<Double> out = new ArrayList<>();
    for (int rep = -1; rep < reps; rep++) {
      long t0 = System.nanoTime();
      long rows = 0;
      int i = 0;
      double limit = rep < 0 ? seconds / 2 : seconds;
      while (i < maxOps) {
        rows += op.run(rep, i++);
        if (i >= minOps && (System.nanoTime() - t0) / 1e9 >= limit) {
          break;
        }
      }
      double el = (System.nanoTime() - t0) / 1e9;
      if (rep >= 0) {
        out.add(rows / el);
      }
    }
    return out;
  }

  static double median(List<Double> xs) {
    if (xs.isEmpty()) {
      return Double.NaN;
    }
    double[] a = xs.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(a);
    int n = a.length;
    return n % 2 == 1 ? a[n / 2] : (a[n / 2 - 1] + a[n / 2]) / 2;
  }
}

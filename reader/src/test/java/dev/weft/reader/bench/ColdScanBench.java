package dev.weft.reader.bench;

import dev.weft.reader.WeftReader;
import dev.weft.reader.WeftScanner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Full one-thread scans of Weft files with a <b>fresh reader per timed scan</b> (open + scan all
 * columns), so that no decoded block, and no shared dictionary, is cached from an earlier round.
 * Files are scanned in interleaved rounds; medians are printed. Gated:
 *
 * <pre>
 * mvn -B -o -pl reader test -Dtest=ColdScanBench -Dweft.bench=true \
 *     -Dweft.bench.files=/tmp/a.weft,/tmp/b.weft [-Dweft.bench.rounds=7]
 * </pre>
 */
class ColdScanBench {
  @Test
  void coldScans() throws Exception {
    Assumptions.assumeTrue(Boolean.getBoolean("weft.bench"), "benchmark: run with -Dweft.bench=true");
    String[] files = System.getProperty("weft.bench.files", "").split(",");
    int rounds = Integer.getInteger("weft.bench.rounds", 7);
    List<double[]> times = new ArrayList<>();
    for (String f : files) {
      times.add(new double[rounds]);
    }
    try (BufferAllocator alloc = new RootAllocator()) {
      for (int w = 0; w < 2; w++) {
        for (String f : files) {
          scan(Path.of(f), alloc); // warm-up: JIT
        }
      }
      for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < files.length; i++) {
          long t0 = System.nanoTime();
          long rows = scan(Path.of(files[i]), alloc);
          times.get(i)[r] = (System.nanoTime() - t0) / 1e9;
          if (r == 0) {
            System.out.println("ColdScanBench " + files[i] + ": " + rows + " rows");
          }
        }
      }
    }
    for (int i = 0; i < files.length; i++) {
      double[] t = times.get(i).clone();
      Arrays.sort(t);
      System.out.printf("ColdScanBench %s: median %.3f s (min %.3f, max %.3f) over %d rounds%n", files[i],
          t[t.length / 2], t[0], t[t.length - 1], rounds);
    }
  }

  private static long scan(Path file, BufferAllocator alloc) throws Exception {
    long rows = 0;
    try (WeftReader r = WeftReader.open(file, alloc); WeftScanner s = r.scan(null, 65_536)) {
      while (s.hasNext()) {
        try (VectorSchemaRoot b = s.next()) {
          rows += b.getRowCount();
        }
      }
    }
    return rows;
  }
}

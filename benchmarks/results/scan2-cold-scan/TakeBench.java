// Single-row takes, block cache off. Compile/run from benchmarks/python: CP=$(../../.venv/bin/python -c "from weftbench.common import java_classpath; print(java_classpath())");
// javac -d /tmp/tb -cp "$CP" ../results/scan2-cold-scan/TakeBench.java && java --add-opens=java.base/java.nio=ALL-UNNAMED -cp "$CP:/tmp/tb" TakeBench A.weft B.weft
import dev.weft.reader.*;
import java.nio.file.Path;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
/** Single-row takes of all columns, block cache off (every take decodes its blocks): microseconds per take, medians of rounds. */
public class TakeBench {
  public static void main(String[] a) throws Exception {
    try (RootAllocator alloc = new RootAllocator()) {
      WeftReader[] rs = new WeftReader[a.length];
      for (int i = 0; i < a.length; i++) rs[i] = WeftReader.open(Path.of(a[i]), alloc, ReaderOptions.defaults().withBlockCacheBytes(0));
      java.util.Random rnd = new java.util.Random(7);
      double[][] t = new double[a.length][7];
      for (int round = 0; round < 9; round++) {
        for (int i = 0; i < a.length; i++) {
          long n = rs[i].numRows();
          java.util.Random rr = new java.util.Random(round);
          long t0 = System.nanoTime();
          for (int k = 0; k < 2000; k++) {
            try (VectorSchemaRoot b = rs[i].take(new long[] {Math.floorMod(rr.nextLong(), n)}, null)) { }
          }
          if (round >= 2) t[i][round - 2] = (System.nanoTime() - t0) / 2000 / 1e3;
        }
      }
      for (int i = 0; i < a.length; i++) { java.util.Arrays.sort(t[i]); System.out.printf("%s: %.1f us per single-row take (median of 7 rounds of 2000)%n", a[i], t[i][3]); rs[i].close(); }
    }
  }
}

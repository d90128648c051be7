// Cold full scans of Weft files, one thread, all columns into one reused root (the ArrowReader pattern):
// thread CPU and process CPU per scan, medians; two rounds over the files. Compile and run from benchmarks/python:
// CP=$(../../.venv/bin/python -c "from weftbench.common import java_classpath; print(java_classpath())")
// javac -d /tmp/sc -cp "$CP" ../results/session5/mnist-ScanCpu.java && java --add-opens=java.base/java.nio=ALL-UNNAMED -cp "$CP:/tmp/sc" ScanCpu 21 A.weft B.weft
import dev.weft.reader.*;
import java.lang.management.*;
import java.nio.file.*;
import java.util.*;
import org.apache.arrow.memory.*;
import org.apache.arrow.vector.*;

class ScanCpu {
  public static void main(String[] a) throws Exception {
    ThreadMXBean tm = ManagementFactory.getThreadMXBean();
    int reps = Integer.parseInt(a[0]);
    try (BufferAllocator al = new RootAllocator()) {
      Map<String, VectorSchemaRoot> roots = new HashMap<>();
      for (int round = 0; round < 2; round++) {
        for (int f = 1; f < a.length; f++) {
          long[] t = new long[reps];
          long[] w = new long[reps];
          for (int r = 0; r < reps; r++) {
            long c0 = tm.getCurrentThreadCpuTime(), w0 = System.nanoTime(), p0 = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
            try (WeftReader rd = WeftReader.open(Path.of(a[f]), al, ReaderOptions.defaults().withVerifyChecksums(!Boolean.getBoolean("nocrc"))); WeftScanner s = rd.scan(null, 65536)) {
              VectorSchemaRoot root = roots.get(a[f]); if (root == null) { root = VectorSchemaRoot.create(rd.schema(null), al); roots.put(a[f], root); }
              while (s.loadNextBatch(root)) { }
            }
            t[r] = tm.getCurrentThreadCpuTime() - c0;
            w[r] = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() - p0;
          }
          Arrays.sort(t); Arrays.sort(w);
          System.out.printf("%s: thread CPU median %.1f ms, process CPU %.1f ms%n", a[f], t[reps / 2] / 1e6, w[reps / 2] / 1e6);
        }
      }
      roots.values().forEach(VectorSchemaRoot::close);
    }
  }
}

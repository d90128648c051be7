// Writes an Arrow IPC file as Weft (WriterOptions defaults, zstd) REPS times: wall and process CPU per write,
// medians, and the size. Run once with the 4.0 build's format-spec/reader/writer jars first on the class path and
// once with this build's, from benchmarks/python:
// CP=$(../../.venv/bin/python -c "from weftbench.common import java_classpath; print(java_classpath())")
// javac -d /tmp/wc -cp "$CP" ../results/session5/mnist-WriteCpu.java && java --add-opens=java.base/java.nio=ALL-UNNAMED -cp "[OLD_JARS:]$CP:/tmp/wc" WriteCpu 5 input.arrow /tmp/out.weft
import dev.weft.format.Codec;
import dev.weft.writer.WeftWriter;
import dev.weft.writer.WriterOptions;
import java.lang.management.ManagementFactory;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;

class WriteCpu {
  public static void main(String[] a) throws Exception {
    int reps = Integer.parseInt(a[0]);
    Path input = Path.of(a[1]);
    Path target = Path.of(a[2]);
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    double[] wall = new double[reps];
    double[] cpu = new double[reps];
    try (BufferAllocator allocator = new RootAllocator()) {
      for (int r = 0; r < reps; r++) {
        Files.deleteIfExists(target);
        long t0 = System.nanoTime();
        long c0 = os.getProcessCpuTime();
        WriterOptions options = WriterOptions.builder().compression(Codec.ZSTD).build();
        try (FileChannel ch = FileChannel.open(input, StandardOpenOption.READ);
            ArrowFileReader in = new ArrowFileReader(ch, allocator)) {
          VectorSchemaRoot root = in.getVectorSchemaRoot();
          try (WeftWriter w = WeftWriter.open(target, root.getSchema(), null, options, allocator)) {
            while (in.loadNextBatch()) {
              w.write(root);
            }
          }
        }
        wall[r] = (System.nanoTime() - t0) / 1e6;
        cpu[r] = (os.getProcessCpuTime() - c0) / 1e6;
      }
    }
    java.util.Arrays.sort(wall);
    java.util.Arrays.sort(cpu);
    System.out.printf("%s -> %,d B: write wall median %.0f ms, process CPU median %.0f ms (%d writes)%n", input,
        Files.size(target), wall[reps / 2], cpu[reps / 2], reps);
  }
}

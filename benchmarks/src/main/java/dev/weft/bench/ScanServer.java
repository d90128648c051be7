package dev.weft.bench;

import dev.weft.format.Codec;
import dev.weft.reader.WeftReader;
import dev.weft.reader.WeftScanner;
import dev.weft.writer.WeftWriter;
import dev.weft.writer.WriterOptions;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;

/**
 * The Java side of {@code weftbench.scan_compare}: one JVM that takes commands on stdin, one a
 * line, and answers one line each, so that the Python side can interleave Weft scans with
 * pyarrow's in one run while the JVM stays warm.
 *
 * <pre>
 * write IN.arrow OUT.weft zstd|none [MINI_BLOCK_BYTES [plain]] -> "ok BYTES" (WriterOptions defaults otherwise;
 *                                        plain: encodings off, every block plain)
 * scan FILE.weft [BATCH [fresh|reuse]] -> "ok SECONDS ROWS CPU_SECONDS" (open a new reader, all columns into
 *                                        Arrow on one thread, close; CPU time of the process). fresh (default):
 *                                        each batch a new root ({@code WeftScanner.next}); reuse: every batch
 *                                        loaded into one root per file kept across scans
 *                                        ({@code WeftScanner.loadNextBatch(root)}), whose buffers are reused
 * loop FILE.weft SECONDS [BATCH [COLUMNS|all [fresh|reuse]]] -> "ok SCANS CPU_SECONDS_PER_SCAN" (cold scans for a
 *                                        while: for a profiler; reuse only with all columns)
 * columns FILE.weft                   -> "ok NAME=MS;..."    (each column scanned alone, cold, median of 3)
 * encodings FILE.weft                 -> "ok NODE=ENCODING:BLOCKS,...{CODEC=BLOCKS};..." (per node)
 * quit
 * </pre>
 *
 * Every timed scan opens a new reader and closes it, the open in the time, as pyarrow's
 * {@code ParquetFile.read} decodes the file anew each time (the OS page cache is warm for both).
 * A reader kept open would serve later scans from its cache of decoded blocks
 * ({@link dev.weft.reader.ReaderOptions#DEFAULT_BLOCK_CACHE_BYTES}), which holds all of a small
 * dataset after the warm-ups: earlier numbers measured with a warm reader (fashion-mnist 1.47x)
 * measured that cache, not decoding. Only {@code encodings} (not timed) keeps a reader open.
 */
public final class ScanServer {
  private ScanServer() {}

  public static void main(String[] args) throws Exception {
    Map<String, WeftReader> readers = new HashMap<>();
    Map<String, VectorSchemaRoot> roots = new HashMap<>();
    try (BufferAllocator allocator = new RootAllocator();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        String[] a = line.trim().split("\\s+");
        try {
          switch (a[0]) {
            case "write" -> {
              Codec codec = a[3].equals("none") ? Codec.NONE : Codec.ZSTD;
              int miniBlock = a.length > 4 ? Integer.parseInt(a[4]) : dev.weft.writer.WriterOptions.DEFAULT_MINI_BLOCK_BYTES;
              boolean encodings = !(a.length > 5 && a[5].equals("plain"));
              reply("ok " + write(Path.of(a[1]), Path.of(a[2]), codec, miniBlock, encodings, allocator));
            }
            case "scan" -> {
              int batch = a.length > 2 ? Integer.parseInt(a[2]) : 65536;
              long t0 = System.nanoTime();
              long c0 = cpuNanos();
              boolean reuse = a.length > 3 && a[3].equals("reuse");
              long rows = reuse ? coldScanReuse(a[1], allocator, batch, roots) : coldScan(a[1], allocator, batch, null);
              double s = (System.nanoTime() - t0) / 1e9;
              reply("ok " + s + " " + rows + " " + (cpuNanos() - c0) / 1e9);
            }
            case "loop" -> {
              long end = System.nanoTime() + (long) (Double.parseDouble(a[2]) * 1e9);
              int batch = a.length > 3 ? Integer.parseInt(a[3]) : 65536;
              java.util.List<String> cols = a.length > 4 && !a[4].equals("all") ? java.util.List.of(a[4].split(",")) : null;
              boolean reuse = a.length > 5 && a[5].equals("reuse");
              long scans = 0;
              long c0 = cpuNanos();
              while (System.nanoTime() < end) {
                if (reuse && cols == null) {
                  coldScanReuse(a[1], allocator, batch, roots);
                } else {
                  coldScan(a[1], allocator, batch, cols);
                }
                scans++;
              }
              reply("ok " + scans + " " + (cpuNanos() - c0) / 1e9 / scans);
            }
            case "columns" -> {
              // per column: the median of 3 cold scans of that column alone, milliseconds
              WeftReader r = readers.computeIfAbsent(a[1], p -> open(p, allocator));
              StringBuilder sb = new StringBuilder();
              for (int c = 0; c < r.numColumns(); c++) {
                String name = r.schema().getFields().get(c).getName();
                double[] t = new double[3];
                for (int k = 0; k < t.length; k++) {
                  long t0 = System.nanoTime();
                  coldScan(a[1], allocator, 65536, java.util.List.of(name));
                  t[k] = (System.nanoTime() - t0) / 1e6;
                }
                java.util.Arrays.sort(t);
                sb.append(name).append('=').append(String.format("%.1f", t[1])).append(';');
              }
              reply("ok " + sb);
            }
            case "encodings" -> {
              WeftReader r = readers.computeIfAbsent(a[1], p -> open(p, allocator));
              StringBuilder sb = new StringBuilder();
              for (int c = 0; c < r.numColumns(); c++) {
                for (dev.weft.reader.NodeStats ns : r.nodeStats(c)) {
                  sb.append(ns.path()).append('=');
                  ns.encodings().forEach((k, v) -> sb.append(k).append(':').append(v.blocks()).append(','));
                  sb.append(ns.blocksByCodec()).append(' ');
                }
              }
              reply("ok " + sb.toString().replace(" ", ";"));
            }
            case "quit" -> {
              for (WeftReader r : readers.values()) {
                r.close();
              }
              roots.values().forEach(VectorSchemaRoot::close);
              reply("ok");
              return;
            }
            default -> reply("error unknown command " + a[0]);
          }
        } catch (Exception e) {
          reply("error " + e.toString().replace('\n', ' '));
        }
      }
    }
  }

  /** CPU time of the whole process (scan thread, GC, JIT), in nanoseconds. */
  private static long cpuNanos() {
    java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean m ? m.getProcessCpuTime() : 0;
  }

  private static void reply(String s) {
    System.out.println(s);
    System.out.flush();
  }

  private static WeftReader open(String path, BufferAllocator allocator) {
    try {
      return WeftReader.open(Path.of(path), allocator);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Opens {@code path}, scans {@code columns} (null: all) in batches of {@code batch} rows, closes it. */
  static long coldScan(String path, BufferAllocator allocator, int batch, java.util.List<String> columns)
      throws Exception {
    try (WeftReader r = WeftReader.open(Path.of(path), allocator)) {
      return scan(r, batch, columns);
    }
  }

  /**
   * {@link #coldScan} with every batch loaded into one root per file, kept in {@code roots} across
   * scans (as a training loop would keep it across epochs), so that its buffers are reused.
   */
  static long coldScanReuse(String path, BufferAllocator allocator, int batch, Map<String, VectorSchemaRoot> roots)
      throws Exception {
    long rows = 0;
    try (WeftReader r = WeftReader.open(Path.of(path), allocator);
        WeftScanner s = r.scan(null, batch)) {
      VectorSchemaRoot root = roots.get(path);
      if (root == null) {
        root = VectorSchemaRoot.create(r.schema(null), allocator);
        roots.put(path, root);
      }
      while (s.loadNextBatch(root)) {
        rows += root.getRowCount();
      }
    }
    return rows;
  }

  static long scan(WeftReader reader, int batch) throws Exception {
    return scan(reader, batch, null);
  }

  static long scan(WeftReader reader, int batch, java.util.List<String> columns) throws Exception {
    long rows = 0;
    try (WeftScanner s = reader.scan(columns, batch)) {
      while (s.hasNext()) {
        try (VectorSchemaRoot b = s.nextBatch()) {
          rows += b.getRowCount();
        }
      }
    }
    return rows;
  }

  private static long write(Path input, Path target, Codec codec, int miniBlockBytes, boolean encodings,
      BufferAllocator allocator) throws Exception {
    WriterOptions options = WriterOptions.builder().compression(codec).miniBlockBytes(miniBlockBytes)
        .encodings(encodings)
        .createdBy("weft-bench").build();
    try (FileChannel ch = FileChannel.open(input, StandardOpenOption.READ);
        ArrowFileReader in = new ArrowFileReader(ch, allocator)) {
      VectorSchemaRoot root = in.getVectorSchemaRoot();
      try (WeftWriter w = WeftWriter.open(target, root.getSchema(), null, options, allocator)) {
        while (in.loadNextBatch()) {
          w.write(root);
        }
      }
    }
    return java.nio.file.Files.size(target);
  }
}

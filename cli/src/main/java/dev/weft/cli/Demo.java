package dev.weft.cli;

import dev.weft.format.Codec;
import dev.weft.reader.WeftReader;
import dev.weft.reader.WeftScanner;
import dev.weft.testdata.ArrowAssert;
import dev.weft.testdata.gen.RecsysGenerator;
import dev.weft.writer.WeftWriter;
import dev.weft.writer.WriterOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The main job end to end on generated data: generates a synthetic recsys table
 * ({@link RecsysGenerator}), writes it as Weft files (zstd and uncompressed) and as an Arrow IPC
 * file for size comparison, then times full scans and random takes of the Weft files, checks
 * sampled rows against the generator, prints a table, and deletes its temporary directory.
 *
 * <p>Run with {@code --add-opens=java.base/java.nio=ALL-UNNAMED} (Arrow needs it); see
 * {@code bin/weft-demo}. {@code --help} lists the options.
 */
public final class Demo {
  static final String USAGE = String.join("\n",
      "usage: weft-demo [options]",
      "  --rows N          rows of the synthetic table (default 200000)",
      "  --seed S          generator seed (default 42)",
      "  --single-takes N  random row ids per single-row take round (default 2000)",
      "  --batch-takes N   take() calls of 256 random ids per round (default 8)",
      "  --repeats N       measured rounds of each read test; medians are printed (default 3)",
      "  -h, --help        print this help");

  static final int TAKE_BATCH = 256;
  static final int SCAN_BATCH = RecsysGenerator.DEFAULT_BATCH_ROWS;
  static final double MB = 1e6;

  /** Command-line options. */
  static final class Options {
    long rows = 200_000;
    long seed = 42;
    int singleTakes = 2_000;
    int batchTakes = 8;
    int repeats = 3;

    static Options parse(String[] args) {
      Options o = new Options();
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        switch (a) {
          case "-h":
          case "--help":
            throw new UsageException(null);
          case "--rows":
            o.rows = number(args, ++i, a, 1, Integer.MAX_VALUE);
            break;
          case "--seed":
            o.seed = number(args, ++i, a, Long.MIN_VALUE, Long.MAX_VALUE);
            break;
          case "--single-takes":
            o.singleTakes = (int) number(args, ++i, a, 1, 10_000_000);
            break;
          case "--batch-takes":
            o.batchTakes = (int) number(args, ++i, a, 1, 1_000_000);
            break;
          case "--repeats":
            o.repeats = (int) number(args, ++i, a, 1, 1000);
            break;
          default:
            throw new UsageException("unknown argument '" + a + "'");
        }
      }
      return o;
    }

    private static long number(String[] args, int i, String flag, long min, long max) {
      if (i >= args.length) {
        throw new UsageException(flag + " needs a value");
      }
      long v;
      try {
        v = Long.parseLong(args[i].replace("_", "").replace(",", ""));
      } catch (NumberFormatException e) {
        throw new UsageException(flag + " needs a whole number, got '" + args[i] + "'");
      }
      if (v < min || v > max) {
        throw new UsageException(flag + " must be in [" + min + ", " + max + "], got " + v);
      }
      return v;
    }
  }

  /** A bad command line; a null message means help was asked for. */
  static final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }

  public static void main(String[] args) {
    // Arrow logs through SLF4J; without a provider on the class path SLF4J warns at start-up.
    if (System.getProperty("slf4j.internal.verbosity") == null) {
      System.setProperty("slf4j.internal.verbosity", "ERROR");
    }
    int rc = run(args, System.out, System.err);
    if (rc != 0) {
      System.exit(rc);
    }
  }

  /**
   * Runs the demo, printing to {@code out}; returns the exit status (0 ok, 1 failure, 2 bad
   * usage). Never calls {@link System#exit}.
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    Options options;
    try {
      options = Options.parse(args);
    } catch (UsageException e) {
      if (e.getMessage() == null) {
        out.println(USAGE);
        return 0;
      }
      err.println("weft-demo: " + e.getMessage());
      err.println(USAGE);
      return 2;
    }
    try {
      new Demo(options, out).execute();
      return 0;
    } catch (AssertionError e) {
      out.flush();
      err.println("weft-demo: FAILED: data read back differs from the generated data: " + e.getMessage());
      return 1;
    } catch (Exception | Error e) {
      out.flush();
      err.println("weft-demo: FAILED: " + e);
      e.printStackTrace(err);
      return 1;
    }
  }

  private final Options o;
  private final PrintStream out;
  private final RecsysGenerator gen;
  private final Schema schema = RecsysGenerator.schema();

  private Demo(Options options, PrintStream out) {
    this.o = options;
    this.out = out;
    this.gen = new RecsysGenerator(options.rows, options.seed);
  }

  /** What was measured for one file. */
  private static final class Result {
    final String label;
    final Path path;
    long size;
    double writeSeconds = Double.NaN;
    double genSeconds;
    long arrowBytes;
    long writerPeak = -1;
    double scanSeconds;
    long scanBytes;
    double singleRowsPerSec;
    double singleBytesPerRow;
    double batchRowsPerSec;
    double batchBytesPerRow;
    String check;

    Result(String label, Path path) {
      this.label = label;
      this.path = path;
    }
  }

  private void execute() throws IOException {
    long start = System.nanoTime();
    Path dir = Files.createTempDirectory("weft-demo-");
    List<Result> weft = new ArrayList<>();
    Result ipc;
    try {
      printHeader(dir);
      try (BufferAllocator alloc = new RootAllocator()) {
        out.println("Writing (write time excludes generating the data)");
        weft.add(writeWeft(alloc, new Result("weft, zstd", dir.resolve("recsys-zstd.weft")), Codec.ZSTD));
        weft.add(writeWeft(alloc, new Result("weft, none", dir.resolve("recsys-none.weft")), Codec.NONE));
        ipc = writeArrowIpc(alloc, new Result("Arrow IPC file", dir.resolve("recsys.arrow")));
        out.println();
        out.println("Reading (each test: a warm-up round, then " + o.repeats + " measured rounds)");
        for (Result r : weft) {
          read(alloc, r);
        }
        out.println();
      }
      printTables(weft, ipc);
    } finally {
      deleteRecursively(dir);
    }
    out.printf(Locale.ROOT, "Done in %.1f s; work dir %s deleted: %s%n", seconds(System.nanoTime() - start),
        dir, Files.exists(dir) ? "NO" : "yes");
  }

  private void printHeader(Path dir) {
    out.println("Weft demo: write, scan and take a synthetic recsys table");
    out.printf(Locale.ROOT, "  rows        %,d (seed %d), generated in batches of %,d rows%n", gen.rows(),
        gen.seed(), gen.batchRows());
    out.printf(Locale.ROOT, "  columns     %d: f0..f31 float32 dense, c0..c15 int64 Zipf-skewed ids,%n",
        schema.getFields().size());
    out.printf(Locale.ROOT, "              history list<int64> (0-%d ids), embedding fixed_size_list<float32>[%d],"
        + " label int8%n", RecsysGenerator.MAX_HISTORY, RecsysGenerator.EMBEDDING_DIM);
    out.println("  work dir    " + dir + " (deleted at the end)");
    out.println();
  }

  // ---------------------------------------------------------------- writing

  private Result writeWeft(BufferAllocator alloc, Result r, Codec codec) throws IOException {
    WriterOptions options = WriterOptions.builder().compression(codec).createdBy("weft-demo").build();
    long genNs = 0;
    long writeNs = 0;
    long arrowBytes = 0;
    try (VectorSchemaRoot root = gen.newRoot(alloc)) {
      long t = System.nanoTime();
      WeftWriter w = WeftWriter.open(r.path, schema, null, options, alloc);
      writeNs += System.nanoTime() - t;
      try {
        for (int b = 0; b < gen.numBatches(); b++) {
          long t0 = System.nanoTime();
          gen.fill(root, b);
          long t1 = System.nanoTime();
          w.write(root);
          long t2 = System.nanoTime();
          genNs += t1 - t0;
          writeNs += t2 - t1;
          arrowBytes += arrowBytes(root);
        }
        long t3 = System.nanoTime();
        w.close();
        writeNs += System.nanoTime() - t3;
        r.writerPeak = w.peakMemory();
      } catch (IOException | RuntimeException | Error e) {
        w.abort();
        throw e;
      }
    }
    r.size = Files.size(r.path);
    r.writeSeconds = seconds(writeNs);
    r.genSeconds = seconds(genNs);
    r.arrowBytes = arrowBytes;
    out.printf(Locale.ROOT, "  %-15s %s written in %.2f s (+ %.2f s generating)%n", r.label,
        r.path.getFileName(), r.writeSeconds, r.genSeconds);
    return r;
  }

  private Result writeArrowIpc(BufferAllocator alloc, Result r) throws IOException {
    long genNs = 0;
    long arrowBytes = 0;
    try (VectorSchemaRoot root = gen.newRoot(alloc);
        FileChannel ch = FileChannel.open(r.path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        ArrowFileWriter w = new ArrowFileWriter(root, null, ch)) {
      w.start();
      for (int b = 0; b < gen.numBatches(); b++) {
        long t0 = System.nanoTime();
        gen.fill(root, b);
        genNs += System.nanoTime() - t0;
        arrowBytes += arrowBytes(root);
        w.writeBatch();
      }
      w.end();
    }
    r.size = Files.size(r.path);
    r.genSeconds = seconds(genNs);
    r.arrowBytes = arrowBytes;
    out.printf(Locale.ROOT, "  %-15s %s written (uncompressed, for size only)%n", r.label, r.path.getFileName());
    return r;
  }

  /** Arrow data size of a batch: the sum of its vectors' buffer sizes (children included). */
  static long arrowBytes(VectorSchemaRoot root) {
    long sum = 0;
    for (FieldVector v : root.getFieldVectors()) {
      sum += v.getBufferSize();
    }
    return sum;
  }

  // ---------------------------------------------------------------- reading

  private void read(BufferAllocator alloc, Result r) throws IOException {
    SplittableRandom rnd = new SplittableRandom(o.seed * 31 + r.label.hashCode());
    try (WeftReader reader = WeftReader.open(r.path, alloc)) {
      if (reader.numRows() != gen.rows()) {
        throw new AssertionError(r.path + " has " + reader.numRows() + " rows, expected " + gen.rows());
      }
      ArrowAssert.assertSchemaEquals(schema, reader.schema());

      long phase = System.nanoTime();
      double[] phases = new double[4];
      // full scans
      double[] scan = new double[o.repeats];
      for (int i = -1; i < o.repeats; i++) {
        long t = System.nanoTime();
        long bytes = scanAll(reader);
        double s = seconds(System.nanoTime() - t);
        if (i >= 0) {
          scan[i] = s;
          r.scanBytes = bytes;
        }
      }
      r.scanSeconds = median(scan);
      phases[0] = seconds(System.nanoTime() - phase);
      phase = System.nanoTime();

      // single-row takes
      double[] single = new double[o.repeats];
      long dataBytes = 0;
      long rowsTaken = 0;
      for (int i = -1; i < o.repeats; i++) {
        long[] ids = randomIds(rnd, i < 0 ? warmUp(o.singleTakes) : o.singleTakes);
        reader.stats().reset();
        long t = System.nanoTime();
        for (long id : ids) {
          try (VectorSchemaRoot got = reader.take(new long[] {id}, null)) {
            if (got.getRowCount() != 1) {
              throw new AssertionError("take of row " + id + " returned " + got.getRowCount() + " rows");
            }
          }
        }
        double s = seconds(System.nanoTime() - t);
        if (i >= 0) {
          single[i] = ids.length / s;
          dataBytes += reader.stats().dataBytesRead();
          rowsTaken += ids.length;
        }
      }
      r.singleRowsPerSec = median(single);
      r.singleBytesPerRow = (double) dataBytes / rowsTaken;
      phases[1] = seconds(System.nanoTime() - phase);
      phase = System.nanoTime();

      // takes of 256 random ids
      double[] batch = new double[o.repeats];
      dataBytes = 0;
      rowsTaken = 0;
      for (int i = -1; i < o.repeats; i++) {
        long[][] idLists = new long[i < 0 ? warmUp(o.batchTakes) : o.batchTakes][];
        for (int k = 0; k < idLists.length; k++) {
          idLists[k] = randomIds(rnd, TAKE_BATCH);
        }
        reader.stats().reset();
        long t = System.nanoTime();
        for (long[] ids : idLists) {
          try (VectorSchemaRoot got = reader.take(ids, null)) {
            if (got.getRowCount() != ids.length) {
              throw new AssertionError("take of " + ids.length + " rows returned " + got.getRowCount());
            }
          }
        }
        double s = seconds(System.nanoTime() - t);
        if (i >= 0) {
          batch[i] = (double) idLists.length * TAKE_BATCH / s;
          dataBytes += reader.stats().dataBytesRead();
          rowsTaken += (long) idLists.length * TAKE_BATCH;
        }
      }
      r.batchRowsPerSec = median(batch);
      r.batchBytesPerRow = (double) dataBytes / rowsTaken;
      phases[2] = seconds(System.nanoTime() - phase);
      phase = System.nanoTime();

      try {
        r.check = verify(alloc, reader, rnd);
      } catch (AssertionError e) {
        throw new AssertionError(r.label + " (" + r.path.getFileName() + "): " + e.getMessage(), e);
      }
      phases[3] = seconds(System.nanoTime() - phase);
      out.printf(Locale.ROOT, "  %-15s scans %.1f s, single-row takes %.1f s, 256-row takes %.1f s, checks %.1f s%n",
          r.label, phases[0], phases[1], phases[2], phases[3]);
    }
  }

  /** Scans every column of the whole file; returns the Arrow bytes returned. */
  private long scanAll(WeftReader reader) throws IOException {
    long bytes = 0;
    long rows = 0;
    try (WeftScanner s = reader.scan(null, SCAN_BATCH)) {
      while (s.hasNext()) {
        try (VectorSchemaRoot b = s.nextBatch()) {
          rows += b.getRowCount();
          bytes += arrowBytes(b);
        }
      }
    }
    if (rows != reader.numRows()) {
      throw new AssertionError("scan returned " + rows + " rows, the file has " + reader.numRows());
    }
    return bytes;
  }

  /** The size of a warm-up round: a quarter of a measured one (it only has to warm up the JIT). */
  private static int warmUp(int n) {
    return Math.max(1, n / 4);
  }

  private long[] randomIds(SplittableRandom rnd, int n) {
    long[] ids = new long[n];
    for (int i = 0; i < n; i++) {
      ids[i] = rnd.nextLong(gen.rows());
    }
    return ids;
  }

  /**
   * Compares data read back with regenerated batches: random rows of up to four batches (the
   * last always included) taken with all columns and with a projection, and the first and last
   * batch scanned. Throws AssertionError on a difference.
   */
  private String verify(BufferAllocator alloc, WeftReader reader, SplittableRandom rnd) throws IOException {
    int nb = gen.numBatches();
    List<Integer> batches = new ArrayList<>();
    batches.add(nb - 1);
    for (int k = 0; k < 3 && batches.size() < nb; k++) {
      int b = rnd.nextInt(nb);
      if (!batches.contains(b)) {
        batches.add(b);
      }
    }
    List<String> projection = List.of("label", "embedding", "history", "c3", "f17");
    int rowsChecked = 0;
    for (int b : batches) {
      try (VectorSchemaRoot expected = gen.batch(b, alloc)) {
        int len = expected.getRowCount();
        int[] local = new int[Math.min(32, len)];
        local[0] = 0;
        for (int i = 1; i < local.length; i++) {
          local[i] = i == local.length - 1 ? len - 1 : rnd.nextInt(len);
        }
        long[] ids = new long[local.length];
        for (int i = 0; i < ids.length; i++) {
          ids[i] = gen.batchStart(b) + local[i];
        }
        try (VectorSchemaRoot got = reader.take(ids, null)) {
          ArrowAssert.assertRowsEqual(expected, local, got);
        } catch (AssertionError e) {
          throw new AssertionError("take of " + ids.length + " rows of batch " + b + ", all columns: "
              + e.getMessage(), e);
        }
        try (VectorSchemaRoot got = reader.take(ids, projection)) {
          ArrowAssert.assertRowsEqual(expected, local, got);
        } catch (AssertionError e) {
          throw new AssertionError("take of " + ids.length + " rows of batch " + b + ", projection " + projection
              + ": " + e.getMessage(), e);
        }
        rowsChecked += local.length;
      }
    }
    int[] scanBatches = nb == 1 ? new int[] {0} : new int[] {0, nb - 1};
    for (int b : scanBatches) {
      long from = gen.batchStart(b);
      int len = gen.batchLength(b);
      try (VectorSchemaRoot expected = gen.batch(b, alloc);
          WeftScanner s = reader.scan(null, len, from, from + len);
          VectorSchemaRoot got = s.nextBatch()) {
        ArrowAssert.assertRootEquals(expected, got);
      } catch (AssertionError e) {
        throw new AssertionError("scan of rows [" + from + ", " + (from + len) + ") in one batch: " + e.getMessage(), e);
      }
    }
    int scanned = scanBatches.length;
    return String.format(Locale.ROOT, "%d random rows taken (all columns, and a 5-column projection) and %d"
        + " scanned batch%s equal the generated data: OK", rowsChecked, scanned, scanned == 1 ? "" : "es");
  }

  // ---------------------------------------------------------------- output

  private void printTables(List<Result> weft, Result ipc) {
    long rows = gen.rows();
    out.println("== Storage and write ==");
    out.printf(Locale.ROOT, "%-15s %11s %10s %13s %9s %13s %12s%n", "file", "size", "bytes/row", "vs Arrow IPC",
        "write s", "write rows/s", "writer peak");
    List<Result> all = new ArrayList<>(weft);
    all.add(ipc);
    for (Result r : all) {
      boolean timed = !Double.isNaN(r.writeSeconds);
      out.printf(Locale.ROOT, "%-15s %11s %10.1f %12.1f%% %9s %13s %12s%n", r.label, mb(r.size),
          (double) r.size / rows, 100.0 * r.size / ipc.size,
          timed ? String.format(Locale.ROOT, "%.2f", r.writeSeconds) : "-",
          timed ? String.format(Locale.ROOT, "%,.0f", rows / r.writeSeconds) : "-",
          r.writerPeak >= 0 ? mb(r.writerPeak) : "-");
    }
    out.printf(Locale.ROOT, "  Arrow data in memory: %s (%.1f bytes/row, sum of Arrow buffer sizes);"
        + " generating it took %.2f s per pass.%n", mb(ipc.arrowBytes), (double) ipc.arrowBytes / rows, ipc.genSeconds);
    out.println("  Weft: default writer options (128 MiB budget), codec as named; Arrow IPC: ArrowFileWriter,"
        + " uncompressed, same batches.");
    out.println("  Writer peak: the most memory the Weft writer held at once. MB = 10^6 bytes.");
    out.println();

    out.println("== Read: scan and random take (medians of " + o.repeats + " rounds) ==");
    out.printf(Locale.ROOT, "%-15s %10s %12s %10s %14s %11s %14s %11s%n", "file", "scan s", "scan rows/s",
        "scan MB/s", "take 1 rows/s", "KB/row", "take 256 rows/s", "KB/row");
    for (Result r : weft) {
      out.printf(Locale.ROOT, "%-15s %10.3f %,12.0f %10.1f %,14.0f %11.1f %,15.0f %11.1f%n", r.label,
          r.scanSeconds, rows / r.scanSeconds, r.scanBytes / MB / r.scanSeconds, r.singleRowsPerSec,
          r.singleBytesPerRow / 1000, r.batchRowsPerSec, r.batchBytesPerRow / 1000);
    }
    out.printf(Locale.ROOT, "  scan: all %d columns, batches of %,d rows; MB/s counts the Arrow data returned"
        + " (sum of buffer sizes).%n", schema.getFields().size(), SCAN_BATCH);
    out.printf(Locale.ROOT, "  take 1: %,d uniformly random row ids per round, one take() per row, all columns.%n",
        o.singleTakes);
    out.printf(Locale.ROOT, "  take 256: %d take() calls of 256 uniformly random row ids per round, all columns.%n",
        o.batchTakes);
    out.println("  KB/row: stored mini-block bytes the reader touched per taken row (I/O amplification).");
    out.println();

    out.println("== Check ==");
    for (Result r : weft) {
      out.printf(Locale.ROOT, "  %-15s %s%n", r.label, r.check);
    }
    out.println();
  }

  private static String mb(long bytes) {
    return String.format(Locale.ROOT, "%.1f MB", bytes / MB);
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }

  static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }
}

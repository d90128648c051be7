package dev.weft.bench;

import dev.weft.format.Codec;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * The Java side of {@code bin/weft-bench}: measures one format through one Java library on one
 * prepared input, and writes the results as JSON. Run once per (input, format) in its own JVM, so
 * that peak memory and JIT state are the format's own. The Python driver
 * ({@code benchmarks/python/weftbench}) prepares the inputs, runs this and the pyarrow side, and
 * writes the report.
 *
 * <pre>
 * BenchMain --format weft|weft-none|weft-lz4|lance|arrow-java|arrow-java-zstd|parquet-java
 *           --input input.arrow --dir WORKDIR --out result.json
 *           [--batch-rows 16384] [--scan-batch 65536] [--reps 5] [--write-reps 5]
 *           [--rep-seconds 1.0] [--take1-max 2000] [--take256-max 100] [--project c1,c2,...]
 *           [--seed 42] [--check-rows 64] [--keep] [--narrow]
 *           [--filter-column C --filter-kind int|float|timestamp:UNIT --filter-lo X --filter-hi Y
 *            --filter-text TEXT --filter-project c1,c2,... --filter-expect N]
 * </pre>
 *
 * <p>{@code --narrow} (quick mode on the wide table, where every all-column operation costs
 * seconds): one write without warm-up (size and write time), no all-column scan or takes; open +
 * project and the take checks still run (and the filtered scan, if given: the driver leaves it
 * out there).
 */
public final class BenchMain {
  private BenchMain() {}

  /** Untimed filtered scans before the measured ones (the same on the Python side). */
  static final int FILTER_WARMUPS = 3;

  /**
   * Untimed all-column scans before the measured ones (the same on the Python side): one was not
   * enough on a busy 2-core machine, where the JIT was still compiling the decoders during the
   * measured repetitions of every JVM peer.
   */
  static final int SCAN_WARMUPS = 3;

  /** The note of a {@code --narrow} result (the same on the Python side). */
  static final String NARROW_NOTE = "quick mode on a wide table: written once without warm-up; "
      + "all-column scan and takes not measured (open + project and the take checks are)";

  static final class Config {
    String format;
    Path input;
    Path dir;
    Path out;
    int batchRows = 16384;
    int scanBatch = 65536;
    int reps = 5;
    int writeReps = 5;
    double repSeconds = 1.0;
    int take1Max = 2000;
    int take256Max = 100;
    List<String> project = List.of();
    long seed = 42;
    int checkRows = 64;
    boolean keep = true;
    /** Skip the all-column scan and takes, and write once (see the class comment). */
    boolean narrow;
    /** The filtered scan's predicate (null: no filtered scan). */
    FilterSpec filter;
  }

  public static void main(String[] args) throws Exception {
    Config c;
    try {
      c = parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("BenchMain: " + e.getMessage());
      System.exit(2);
      return;
    }
    Map<String, Object> result = run(c);
    Files.writeString(c.out, Json.write(result));
    @SuppressWarnings("unchecked")
    Map<String, Object> check = (Map<String, Object>) result.get("check");
    System.exit(Boolean.TRUE.equals(check.get("ok")) ? 0 : 1);
  }

  static Config parse(String[] args) {
    Config c = new Config();
    Map<String, String> f = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--keep")) {
        c.keep = true;
        continue;
      }
      if (a.equals("--no-keep")) {
        c.keep = false;
        continue;
      }
      if (a.equals("--narrow")) {
        c.narrow = true;
        continue;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("missing value after " + a);
      }
      String v = args[++i];
      switch (a) {
        case "--format" -> c.format = v;
        case "--input" -> c.input = Path.of(v);
        case "--dir" -> c.dir = Path.of(v);
        case "--out" -> c.out = Path.of(v);
        case "--batch-rows" -> c.batchRows = Integer.parseInt(v);
        case "--scan-batch" -> c.scanBatch = Integer.parseInt(v);
        case "--reps" -> c.reps = Integer.parseInt(v);
        case "--write-reps" -> c.writeReps = Integer.parseInt(v);
        case "--rep-seconds" -> c.repSeconds = Double.parseDouble(v);
        case "--take1-max" -> c.take1Max = Integer.parseInt(v);
        case "--take256-max" -> c.take256Max = Integer.parseInt(v);
        case "--project" -> c.project = v.isEmpty() ? List.of() : Arrays.asList(v.split(","));
        case "--seed" -> c.seed = Long.parseLong(v);
        case "--check-rows" -> c.checkRows = Integer.parseInt(v);
        case "--filter-column", "--filter-kind", "--filter-lo", "--filter-hi", "--filter-text", "--filter-project",
            "--filter-expect" -> f.put(a.substring("--filter-".length()), v);
        default -> throw new IllegalArgumentException("unknown option " + a);
      }
    }
    if (c.format == null || c.input == null || c.dir == null || c.out == null) {
      throw new IllegalArgumentException("--format, --input, --dir and --out are required");
    }
    peer(c.format, c.batchRows); // validates the name
    if (!f.isEmpty()) {
      for (String k : List.of("column", "kind", "lo", "hi", "text")) {
        if (!f.containsKey(k)) {
          throw new IllegalArgumentException("--filter-" + k + " is required with the other --filter options");
        }
      }
      String proj = f.getOrDefault("project", f.get("column"));
      c.filter = new FilterSpec(f.get("column"), f.get("kind"), f.get("lo"), f.get("hi"), f.get("text"),
          Arrays.asList(proj.split(",")), Long.parseLong(f.getOrDefault("expect", "-1")));
    }
    return c;
  }

  static Peer peer(String format, int batchRows) {
    return switch (format) {
      case "weft" -> new WeftPeer(Codec.ZSTD);
      case "weft-none" -> new WeftPeer(Codec.NONE);
      case "weft-lz4" -> new WeftPeer(Codec.LZ4);
      case "lance" -> new LancePeer();
      case "arrow-java" -> new ArrowJavaPeer(false, batchRows);
      case "arrow-java-zstd" -> new ArrowJavaPeer(true, batchRows);
      case "parquet-java" -> new ParquetJavaPeer();
      default -> throw new IllegalArgumentException("unknown Java format " + format
          + " (weft, weft-none, weft-lz4, lance, arrow-java, arrow-java-zstd, parquet-java)");
    };
  }

  /** Row id {@code i} of repetition {@code rep}: uniform in [0, n), the same for every format. */
  public static long rowId(long seed, int rep, long i, long n) {
    long z = seed * 0x9E3779B97F4A7C15L + (rep + 2L) * 0xBF58476D1CE4E5B9L + i * 0x94D049BB133111EBL;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    z ^= z >>> 31;
    return Math.floorMod(z, n);
  }

  static Map<String, Object> run(Config c) throws Exception {
    return run(c, peer(c.format, c.batchRows));
  }

  static Map<String, Object> run(Config c, Peer peer) throws Exception {
    Map<String, Object> r = new LinkedHashMap<>();
    List<String> errors = new ArrayList<>();
    List<String> checks = new ArrayList<>();
    boolean ok = true;
    r.put("format", peer.name());
    r.put("side", "java");
    r.put("library", peer.library());
    r.put("options", peer.options());
    r.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    if (peer.name().startsWith("weft")) {
      r.put("weft_build", Versions.weftBuild());
    }
    Path target = c.dir.resolve(peer.fileName());
    r.put("file", target.toString());
    Files.createDirectories(c.dir);
    try (BufferAllocator allocator = new RootAllocator();
        MemorySampler mem = new MemorySampler()) {
      long n;
      try (Peer.Reader ref = new ArrowJavaPeer.IpcReader(c.input, allocator, c.batchRows)) {
        n = ref.numRows();
      }
      r.put("rows", n);

      // write
      if (peer.writes()) {
        try {
          mem.startPhase();
          List<Double> times = Measure.seconds(c.narrow ? 0 : 1, c.narrow ? 1 : c.writeReps, rep -> {
            delete(target);
            peer.write(c.input, target, allocator);
          });
          r.put("write_s", times);
          r.put("write_peak_bytes", mem.peakAboveBaselineBytes());
          if (peer instanceof WeftPeer w && w.lastWriterPeak >= 0) {
            r.put("weft_writer_peak_bytes", w.lastWriterPeak);
          }
        } catch (Throwable e) {
          errors.add("write: " + describe(e));
        }
      } else {
        r.put("write_note", "written by pyarrow (see parquet-pyarrow)");
      }
      if (!Files.exists(target)) {
        errors.add("no file " + target);
        return finish(r, errors, checks, false, c, target);
      }
      r.put("size_bytes", size(target));

      // read
      mem.startPhase();
      try (Peer.Reader reader = peer.open(target, allocator)) {
        long rows = reader.numRows();
        if (rows != n) {
          ok = false;
          checks.add("FAILED: numRows " + rows + " != " + n);
        }
        if (c.narrow) {
          r.put("narrow_note", NARROW_NOTE);
        } else {
          ok &= scanAndTake(c, () -> peer.open(target, allocator), reader, n, r, errors, checks);
        }
        r.put("read_peak_bytes", mem.peakAboveBaselineBytes());

        // filtered scan: the rows where the predicate holds, of the filter's projection
        if (c.filter != null) {
          ok &= filtered(c, () -> peer.open(target, allocator), reader, n, r, errors, checks);
        }

        // correctness of take: all columns, and the 10-column projection
        try {
          ok &= checkTake(c, peer, reader, allocator, n, null, checks);
          if (!c.project.isEmpty()) {
            ok &= checkTake(c, peer, reader, allocator, n, c.project, checks);
          }
        } catch (Throwable e) {
          ok = false;
          errors.add("check: " + describe(e));
        }
      } catch (Throwable e) {
        ok = false;
        errors.add("open: " + describe(e));
      }

      // open + project: a new reader, one row of the projected columns, close
      if (!c.project.isEmpty()) {
        try {
          List<Double> perSecond = Measure.rate(c.reps, 3, 200, c.repSeconds / 2, (rep, i) -> {
            try (Peer.Reader reader = peer.open(target, allocator)) {
              reader.take(new long[] {rowId(c.seed, rep, 2_000_000_000L + i, n)}, c.project, null);
            }
            return 1;
          });
          List<Double> ms = new ArrayList<>();
          for (double x : perSecond) {
            ms.add(1000.0 / x);
          }
          r.put("open_project_ms", ms);
        } catch (Throwable e) {
          errors.add("open+project: " + describe(e));
        }
      }
      return finish(r, errors, checks, ok, c, target);
    }
  }

  /** Opens a new reader of the peer's file. */
  interface Opener {
    Peer.Reader open() throws Exception;
  }

  /**
   * Measures the all-column scan and the random takes; false if the scan's row count is wrong.
   * Each timed scan opens a new reader ({@code fresh}) and closes it, open included in the time,
   * as pyarrow's read opens the file each time: no peer may reuse data it decoded in an earlier
   * repetition (Weft's reader keeps decoded blocks in its cache, which held all of a small
   * dataset after the warm-ups). The takes use {@code reader}, which stays open on purpose:
   * they measure a warm reader, its caches included.
   */
  private static boolean scanAndTake(Config c, Opener fresh, Peer.Reader reader, long n, Map<String, Object> r,
      List<String> errors, List<String> checks) {
    boolean ok = true;
    try {
      long[] seen = new long[1];
      r.put("scan_s", Measure.seconds(SCAN_WARMUPS, c.reps, rep -> {
        try (Peer.Reader cold = fresh.open()) {
          seen[0] = cold.scan(c.scanBatch);
        }
      }));
      if (seen[0] == n) {
        checks.add("scan: " + n + " rows: OK");
      } else {
        ok = false;
        checks.add("FAILED: scan returned " + seen[0] + " rows, expected " + n);
      }
    } catch (Throwable e) {
      errors.add("scan: " + describe(e));
    }
    boolean canTake = true;
    try {
      List<Double> take1 = Measure.rate(c.reps, 5, c.take1Max, c.repSeconds,
          (rep, i) -> reader.take(new long[] {rowId(c.seed, rep, i, n)}, null, null));
      if (take1.stream().anyMatch(x -> x < 0)) {
        canTake = false;
        r.put("take_note", "no row-level take in this library");
      } else {
        r.put("take1_rows_s", take1);
      }
    } catch (Throwable e) {
      errors.add("take 1: " + describe(e));
    }
    if (canTake) {
      try {
        r.put("take256_rows_s", Measure.rate(c.reps, 2, c.take256Max, c.repSeconds, (rep, i) -> {
          long[] ids = new long[256];
          for (int k = 0; k < ids.length; k++) {
            ids[k] = rowId(c.seed, rep, 1_000_000_000L + (long) i * 256 + k, n);
          }
          return reader.take(ids, null, null);
        }));
      } catch (Throwable e) {
        errors.add("take 256: " + describe(e));
      }
    }
    return ok;
  }

  /**
   * Measures the filtered scan and checks its number of matching rows; false if the check fails.
   * Each timed filtered scan opens a new reader and closes it, as the all-column scan does (see
   * {@link #scanAndTake}).
   */
  private static boolean filtered(Config c, Opener fresh, Peer.Reader reader, long n, Map<String, Object> r,
      List<String> errors, List<String> checks) {
    FilterSpec f = c.filter;
    try {
      long[] seen = new long[1];
      // three warm-ups: a filtered scan is short, and the JIT is still compiling after one
      List<Double> times = Measure.seconds(FILTER_WARMUPS, c.reps, rep -> {
        try (Peer.Reader cold = fresh.open()) {
          seen[0] = cold.filteredScan(f, c.scanBatch);
        }
      });
      if (seen[0] < 0) {
        r.put("filter_note", "no filtered scan in this peer");
        return true;
      }
      r.put("filter_s", times);
      r.put("filter_matches", seen[0]);
      r.put("filter_method", reader.filterMethod());
      if (f.expect() >= 0 && seen[0] != f.expect()) {
        checks.add("FAILED: filtered scan (" + f.text() + ") returned " + seen[0] + " rows, expected " + f.expect());
        return false;
      }
      checks.add("filtered scan (" + f.text() + "): " + seen[0] + " of " + n + " rows"
          + (f.expect() >= 0 ? ", as many as in the input: OK" : ""));
      return true;
    } catch (Throwable e) {
      errors.add("check: filtered scan: " + describe(e));
      return false;
    }
  }

  private static Map<String, Object> finish(Map<String, Object> r, List<String> errors, List<String> checks,
      boolean ok, Config c, Path target) throws IOException {
    Map<String, Object> check = new LinkedHashMap<>();
    check.put("ok", ok && errors.stream().noneMatch(e -> e.startsWith("check") || e.startsWith("open")));
    check.put("details", checks);
    r.put("check", check);
    r.put("errors", errors);
    if (!c.keep && Files.exists(target) && !c.format.equals("parquet-java")) {
      delete(target);
    }
    return r;
  }

  private static boolean checkTake(Config c, Peer peer, Peer.Reader reader, BufferAllocator allocator, long n,
      List<String> columns, List<String> checks) throws Exception {
    int k = (int) Math.min(c.checkRows, Math.max(1, n));
    long[] ids = new long[k + 3];
    for (int i = 0; i < k; i++) {
      ids[i] = rowId(c.seed ^ 0x5EED, 0, i, n);
    }
    ids[k] = 0;
    ids[k + 1] = n - 1;
    ids[k + 2] = ids[0]; // a duplicate
    List<Map<String, String>> expected = new ArrayList<>();
    try (Peer.Reader ref = new ArrowJavaPeer.IpcReader(c.input, allocator, c.batchRows)) {
      ref.take(ids, columns, expected);
    }
    List<Map<String, String>> actual = new ArrayList<>();
    String what = (columns == null ? "all columns" : columns.size() + " columns");
    long got = reader.take(ids, columns, actual);
    if (got < 0) {
      checks.add("take (" + what + "): not supported by this library");
      return true;
    }
    boolean partial = peer instanceof ParquetJavaPeer;
    if (actual.size() != expected.size()) {
      checks.add("FAILED: take (" + what + ") of " + ids.length + " ids returned " + actual.size() + " rows");
      return false;
    }
    for (int i = 0; i < ids.length; i++) {
      Map<String, String> e = expected.get(i);
      Map<String, String> a = actual.get(i);
      if (!partial && !e.keySet().equals(a.keySet())) {
        checks.add("FAILED: take (" + what + ") row " + ids[i] + ": columns " + a.keySet() + " != " + e.keySet());
        return false;
      }
      for (Map.Entry<String, String> x : a.entrySet()) {
        String want = e.get(x.getKey());
        if (!x.getValue().equals(want)) {
          checks.add("FAILED: take (" + what + ") row " + ids[i] + " column " + x.getKey() + ": "
              + clip(x.getValue()) + " != expected " + clip(want));
          return false;
        }
      }
    }
    checks.add("take (" + what + ") of " + ids.length + " ids (duplicates, first and last row included) equals the input"
        + (partial ? " (flat int/float/string/binary columns compared)" : "") + ": OK");
    return true;
  }

  private static String clip(String s) {
    return s == null ? "null" : s.length() > 120 ? s.substring(0, 120) + "..." : s;
  }

  static String describe(Throwable e) {
    StringWriter sw = new StringWriter();
    e.printStackTrace(new PrintWriter(sw));
    String[] lines = sw.toString().split("\n");
    return String.join("\n", Arrays.copyOf(lines, Math.min(lines.length, 8)));
  }

  static long size(Path p) throws IOException {
    if (Files.isRegularFile(p)) {
      return Files.size(p);
    }
    try (Stream<Path> s = Files.walk(p)) {
      return s.filter(Files::isRegularFile).mapToLong(x -> {
        try {
          return Files.size(x);
        } catch (IOException e) {
          return 0;
        }
      }).sum();
    }
  }

  static void delete(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(x);
      }
    }
  }
}

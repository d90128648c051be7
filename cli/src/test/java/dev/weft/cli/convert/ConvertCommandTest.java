package dev.weft.cli.convert;

import static dev.weft.cli.convert.TestFiles.data;
import static dev.weft.cli.convert.TestFiles.weft;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.cli.convert.TestFiles.Run;
import dev.weft.cli.parquet.Sizes;
import dev.weft.format.Codec;
import dev.weft.reader.WeftReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.types.pojo.Field;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code weft convert} run in-process (WeftCli.execute), checked with {@code weft verify}. */
class ConvertCommandTest {
  private static final String SMALL = "parquet-testing/data/alltypes_tiny_pages.parquet"; // 7,300 rows
  private static final String NESTED = "parquet-testing/data/nullable.impala.parquet";

  private static void assertOneCleanErrorLine(Run r, String mustContain) {
    assertEquals(2, r.rc(), r::all);
    String[] lines = r.err().strip().split("\n");
    assertEquals(1, lines.length, r::all);
    assertTrue(lines[0].startsWith("weft convert: "), r::all);
    assertTrue(lines[0].contains(mustContain), r::all);
    assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r::all);
  }

  private static long rows(Path weftFile) throws IOException {
    try (RootAllocator a = new RootAllocator(); WeftReader r = WeftReader.open(weftFile, a)) {
      return r.numRows();
    }
  }

  private static List<String> columns(Path weftFile) throws IOException {
    try (RootAllocator a = new RootAllocator(); WeftReader r = WeftReader.open(weftFile, a)) {
      return r.schema().getFields().stream().map(Field::getName).toList();
    }
  }

  @Test
  void convertsAFileVerifiesItAndPrintsTheSummary(@TempDir Path tmp) {
    Path src = data(SMALL);
    Path out = tmp.resolve("small.weft");
    Run r = weft("convert", src, "-o", out, "--threads", "2");
    assertEquals(0, r.rc(), r::all);
    assertEquals("", r.err(), r::all);
    // not a terminal: nothing but the one-line summary
    assertTrue(r.out().matches("(?s)converted 1 file, 7,300 rows: Parquet [0-9.]+ [KM]iB -> Weft [0-9.]+ [KM]iB"
        + " \\([0-9.]+x\\) in [0-9.]+ s, [0-9,]+ rows/s\\n"), r::all);
    Run v = weft("verify", src, out);
    assertEquals(0, v.rc(), v::all);
    assertTrue(v.out().startsWith("OK: 7,300 rows, 13 columns equal"), v::all);
  }

  @Test
  void nestedDataAndEveryCodecVerify(@TempDir Path tmp) {
    for (String codec : List.of("zstd", "lz4", "none")) {
      Path out = tmp.resolve(codec + ".weft");
      Run r = weft("convert", data(NESTED), "-o", out, "--compression", codec, "--quiet");
      assertEquals(0, r.rc(), r::all);
      assertEquals("", r.out() + r.err());
      Run v = weft("verify", data(NESTED), out);
      assertEquals(0, v.rc(), v::all);
    }
  }

  @Test
  void anExistingOutputIsNeverTouchedWithoutOverwrite(@TempDir Path tmp) throws IOException {
    Path out = tmp.resolve("x.weft");
    Files.writeString(out, "precious");
    Files.setLastModifiedTime(out, FileTime.fromMillis(1_000_000_000_000L));
    Run r = weft("convert", data(SMALL), "-o", out);
    assertOneCleanErrorLine(r, out + ": already exists (use --overwrite to replace it)");
    assertEquals("precious", Files.readString(out));
    assertEquals(1_000_000_000_000L, Files.getLastModifiedTime(out).toMillis());

    Run o = weft("convert", data(SMALL), "-o", out, "--overwrite", "-q");
    assertEquals(0, o.rc(), o::all);
    assertEquals(0, weft("verify", data(SMALL), out).rc());
  }

  @Test
  void projectionKeepsTheOrderAndUnknownColumnsAreClearErrors(@TempDir Path tmp) throws IOException {
    Path out = tmp.resolve("p.weft");
    Run r = weft("convert", data(SMALL), "-o", out, "--columns", "string_col,id", "-q");
    assertEquals(0, r.rc(), r::all);
    assertEquals(List.of("string_col", "id"), columns(out));
    assertEquals(0, weft("verify", data(SMALL), out, "--columns", "string_col,id").rc());

    Run bad = weft("convert", data(SMALL), "-o", tmp.resolve("q.weft"), "--columns", "id,nope");
    assertOneCleanErrorLine(bad, "no column named 'nope'");
    assertFalse(Files.exists(tmp.resolve("q.weft")));
  }

  @Test
  void favorSizeTheDefaultStoresImagesSmallerAndTheyReadBackEqual(@TempDir Path tmp) throws IOException {
    Path src = data("real/fashion-mnist-test.parquet");
    long[] sizes = new long[2];
    String[] favors = {"speed", "size"};
    String[] schemes = {"SPAN", "SPAN_FOLD"};
    for (int k = 0; k < 2; k++) {
      Path out = tmp.resolve(favors[k] + ".weft");
      Run r = weft("convert", src, "-o", out, "--favor", favors[k], "-q");
      assertEquals(0, r.rc(), r::all);
      try (WeftReader w = WeftReader.open(out)) {
        java.util.Set<String> encodings = new java.util.TreeSet<>();
        w.nodeStats(w.columnIndex("image")).forEach(st -> encodings.addAll(st.encodings().keySet()));
        assertTrue(encodings.contains(schemes[k]) && !encodings.contains(schemes[1 - k]),
            "--favor " + favors[k] + ": " + encodings);
      }
      Run v = weft("verify", src, out);
      assertEquals(0, v.rc(), v::all);
      sizes[k] = Files.size(out);
    }
    assertTrue(sizes[1] < sizes[0], "--favor size " + sizes[1] + " bytes, speed " + sizes[0]);
    Path plain = tmp.resolve("default.weft"); // size is the default
    assertEquals(0, weft("convert", src, "-o", plain, "-q").rc());
    try (WeftReader w = WeftReader.open(plain)) {
      java.util.Set<String> encodings = new java.util.TreeSet<>();
      w.nodeStats(w.columnIndex("image")).forEach(st -> encodings.addAll(st.encodings().keySet()));
      assertTrue(encodings.contains("SPAN_FOLD") && !encodings.contains("SPAN"), "without --favor: " + encodings);
    }
    assertEquals(sizes[1], Files.size(plain), "without --favor: the size of --favor size");
    assertOneCleanErrorLine(weft("convert", src, "-o", tmp.resolve("x.weft"), "--favor", "small"),
        "--favor must be speed or size, not 'small'");
    assertFalse(Files.exists(tmp.resolve("x.weft")));
  }

  @Test
  void bloomFiltersOnRequest(@TempDir Path tmp) throws IOException {
    Path out = tmp.resolve("b.weft");
    Run r = weft("convert", data(SMALL), "-o", out, "--bloom-filter", "string_col,id:0.001", "-q");
    assertEquals(0, r.rc(), r::all);
    try (dev.weft.reader.WeftReader w = dev.weft.reader.WeftReader.open(out)) {
      org.junit.jupiter.api.Assertions.assertNotNull(w.bloomFilters("string_col"));
      org.junit.jupiter.api.Assertions.assertNotNull(w.bloomFilters("id"));
      org.junit.jupiter.api.Assertions.assertNotNull(w.zoneMaps("id"));
    }
    Run inspect = weft("inspect", out);
    org.junit.jupiter.api.Assertions.assertTrue(inspect.out().contains("zone maps (file level"), inspect::all);
    assertOneCleanErrorLine(weft("convert", data(SMALL), "-o", tmp.resolve("c.weft"), "--bloom-filter", "id:2"),
        "--bloom-filter takes COL or COL:FPP");
    assertOneCleanErrorLine(weft("convert", data(SMALL), "-o", tmp.resolve("d.weft"), "--bloom-filter", "nope"),
        "bloom filter requested for column 'nope'");
  }

  @Test
  void directoriesWithHivePartitionsBecomeColumns(@TempDir Path tmp) throws IOException {
    Path root = tmp.resolve("ds");
    for (String part : List.of("part=2023/country=fr", "part=2024/country=us", "part=2024/country=__HIVE_DEFAULT_PARTITION__")) {
      Path d = root.resolve(part);
      Files.createDirectories(d);
      Files.copy(data(SMALL), d.resolve("part-0.parquet"));
    }
    Files.writeString(root.resolve("_SUCCESS"), "");
    Files.createDirectories(root.resolve(".hidden"));
    Files.copy(data("parquet-testing/data/alltypes_plain.parquet"), root.resolve(".hidden/skip.parquet"));

    // one file: the schemas match, partition keys are columns (part int32, country string)
    Path one = tmp.resolve("one.weft");
    Run r = weft("convert", root, "-o", one, "-q");
    assertEquals(0, r.rc(), r::all);
    assertEquals(3 * 7300, rows(one));
    try (RootAllocator a = new RootAllocator(); WeftReader w = WeftReader.open(one, a)) {
      List<Field> f = w.schema().getFields();
      assertEquals("part: Int(32, true)", f.get(f.size() - 2).toString());
      assertEquals("country: Utf8", f.get(f.size() - 1).toString());
    }

    // a directory: one output per input, at the same relative path
    Path dir = tmp.resolve("out");
    Run d = weft("convert", root, "-o", dir, "-q", "--threads", "3");
    assertEquals(0, d.rc(), d::all);
    List<String> outs = new ArrayList<>();
    try (Stream<Path> s = Files.walk(dir)) {
      s.filter(Files::isRegularFile).forEach(p -> outs.add(dir.relativize(p).toString()));
    }
    assertEquals(List.of("part=2023/country=fr/part-0.weft", "part=2024/country=__HIVE_DEFAULT_PARTITION__/part-0.weft",
        "part=2024/country=us/part-0.weft"), outs.stream().sorted().toList());
    Path fr = dir.resolve("part=2023/country=fr/part-0.weft");
    Run v = weft("verify", root.resolve("part=2023/country=fr/part-0.parquet"), fr);
    assertEquals(0, v.rc(), v::all);
    assertTrue(v.out().contains("note: column part"), v::all);

    // a partition key that is also a column of the file is an error
    Path clash = tmp.resolve("clash/year=2020");
    Files.createDirectories(clash);
    Files.copy(data(SMALL), clash.resolve("p.parquet"));
    assertOneCleanErrorLine(weft("convert", tmp.resolve("clash"), "-o", tmp.resolve("clash.weft")),
        "partition directory 'year=2020' names a column the file already has");
  }

  @Test
  void globsAndSplitOutputs(@TempDir Path tmp) throws IOException {
    Path in = tmp.resolve("in");
    Files.createDirectories(in.resolve("a"));
    Files.createDirectories(in.resolve("b"));
    Files.copy(data(SMALL), in.resolve("a/x.parquet"));
    Files.copy(data(SMALL), in.resolve("b/y.parquet"));
    Path dir = tmp.resolve("parts");
    Run r = weft("convert", in + "/**/*.parquet", "-o", dir, "--target-file-size", "64k", "-q");
    assertEquals(0, r.rc(), r::all);
    List<Path> parts;
    try (Stream<Path> s = Files.list(dir)) {
      parts = s.sorted().toList();
    }
    assertTrue(parts.size() >= 2, parts::toString);
    long total = 0;
    for (int i = 0; i < parts.size(); i++) {
      assertEquals(String.format("part-%05d.weft", i), parts.get(i).getFileName().toString());
      total += rows(parts.get(i));
    }
    assertEquals(2 * 7300, total);

    Run none = weft("convert", tmp + "/nothing-*.parquet", "-o", tmp.resolve("z.weft"));
    assertOneCleanErrorLine(none, "no files match");
    Files.createDirectories(tmp.resolve("empty"));
    assertOneCleanErrorLine(weft("convert", tmp.resolve("empty"), "-o", tmp.resolve("z.weft")), "no Parquet files");
    assertOneCleanErrorLine(weft("convert", tmp.resolve("missing.parquet"), "-o", tmp.resolve("z.weft")),
        "missing.parquet: no such file or directory");
  }

  @Test
  void aFailedInputIsNamedAndKeepGoingConvertsTheOthers(@TempDir Path tmp) throws IOException {
    Path in = tmp.resolve("in");
    Files.createDirectories(in);
    Files.copy(data(SMALL), in.resolve("a.parquet"));
    Files.copy(data("parquet-testing/bad_data/ARROW-GH-41321.parquet"), in.resolve("b.parquet"));
    Files.copy(data(NESTED), in.resolve("c.parquet"));
    Files.writeString(in.resolve("d.parquet"), "not parquet at all");

    Path out = tmp.resolve("out");
    Run r = weft("convert", in, "-o", out, "--keep-going", "--threads", "2");
    assertEquals(2, r.rc(), r::all);
    String[] errs = r.err().strip().split("\n");
    assertEquals(2, errs.length, r::all);
    assertTrue(r.err().contains(in.resolve("b.parquet") + ": corrupt"), r::all);
    assertTrue(r.err().contains(in.resolve("d.parquet") + ": not a Parquet file"), r::all);
    assertTrue(Files.exists(out.resolve("a.weft")) && Files.exists(out.resolve("c.weft")), r::all);
    assertFalse(Files.exists(out.resolve("b.weft")) || Files.exists(out.resolve("d.weft")), r::all);
    assertTrue(r.out().startsWith("converted 2 of 4 files"), r::all);
    assertTrue(r.out().strip().endsWith("; 2 failed"), r::all);

    // without --keep-going: the first failure stops the conversion (exit 2, the file named)
    Path out2 = tmp.resolve("out2");
    Run s = weft("convert", in, "-o", out2, "--threads", "1");
    assertEquals(2, s.rc(), s::all);
    assertTrue(s.err().contains("b.parquet") || s.err().contains("d.parquet"), s::all);
    assertFalse(Files.exists(out2.resolve("c.weft")), s::all);
    // the summary counts what was written, not what was not refused
    assertTrue(s.out().startsWith("converted 0 of 4 files"), s::all);
    assertTrue(s.out().contains("not converted (stopped at the first failure; --keep-going converts the rest)"),
        s::all);

    // several inputs into one file: an unreadable input is skipped with --keep-going
    Path one = tmp.resolve("one.weft");
    Run k = weft("convert", in.resolve("a.parquet"), in.resolve("d.parquet"), data(SMALL), "-o", one, "--keep-going");
    assertEquals(2, k.rc(), k::all);
    assertEquals(2 * 7300, rows(one));
    // ... but schemas that differ are refused
    Run m = weft("convert", in.resolve("a.parquet"), in.resolve("c.parquet"), "-o", tmp.resolve("mixed.weft"));
    assertEquals(2, m.rc(), m::all);
    assertTrue(m.err().contains("its schema differs"), m::all);
    assertFalse(Files.exists(tmp.resolve("mixed.weft")));
  }

  @Test
  void unwritableDestinationsAndBadOptionsAreOneLine(@TempDir Path tmp) throws IOException {
    Path file = tmp.resolve("afile");
    Files.writeString(file, "x");
    Run r = weft("convert", data(SMALL), "-o", file.resolve("sub/out.weft"));
    assertEquals(2, r.rc(), r::all);
    assertEquals(1, r.err().strip().split("\n").length, r::all);
    assertTrue(r.err().startsWith("weft convert: "), r::all);

    Run b = weft("convert", data(SMALL), "-o", tmp.resolve("o.weft"), "--memory-budget", "lots");
    assertEquals(2, b.rc(), b::all);
    assertTrue(b.err().contains("'lots' is not a size"), b::all);
    Run c = weft("convert", data(SMALL), "-o", tmp.resolve("o.weft"), "--compression", "gzip");
    assertEquals(2, c.rc(), c::all);
    assertTrue(c.err().contains("zstd, lz4 or none"), c::all);
    Run t = weft("convert", data(SMALL), "-o", tmp.resolve("o.weft"), "--target-file-size", "1m");
    assertEquals(2, t.rc(), t::all);
    assertTrue(t.err().contains("give a directory"), t::all);
  }

  @Test
  void encryptedAndTooLargeInputsAreRefusedClearly(@TempDir Path tmp) {
    Path enc = data("parquet-testing/data/uniform_encryption.parquet.encrypted");
    assertOneCleanErrorLine(weft("convert", enc, "-o", tmp.resolve("e.weft")), "encrypted Parquet file");
    Path big = data("parquet-testing/data/large_string_map.brotli.parquet");
    Run r = weft("convert", big, "-o", tmp.resolve("big.weft"), "--memory-budget", "256m");
    assertOneCleanErrorLine(r, "does not fit the memory budget");
    assertFalse(Files.exists(tmp.resolve("big.weft")));
  }

  /** --threads changes how the work is spread, never the bytes (but for the random file id). */
  @Test
  void theOutputIsTheSameForAnyThreadCount(@TempDir Path tmp) throws IOException {
    for (String src : List.of(SMALL, NESTED, "real/fashion-mnist-test.parquet")) {
      byte[] first = null;
      for (int threads : new int[] {1, 2, 3, 5}) {
        Path out = tmp.resolve(threads + ".weft");
        Run r = weft("convert", data(src), "-o", out, "--threads", String.valueOf(threads), "--overwrite");
        assertEquals(0, r.rc(), r::all);
        byte[] b = Files.readAllBytes(out);
        // bytes 8-31: the random file id and the header checksum; the footer and tail hold the id too
        b = java.util.Arrays.copyOfRange(b, 32, Math.max(32, b.length - 512));
        if (first == null) {
          first = b;
        } else {
          assertArrayEquals(first, b, src + ": --threads " + threads + " differs from --threads 1");
        }
      }
    }
  }

  /** The budget bounds the Arrow memory (batches and writer) whatever the input. */
  @Test
  void arrowMemoryStaysWithinTheBudget(@TempDir Path tmp) throws IOException {
    for (long budget : new long[] {24L << 20, 64L << 20}) {
      for (int threads : new int[] {1, 2, 4}) { // 4: the writer encodes on 4 threads
        Path out = tmp.resolve("m" + budget + "-" + threads + ".weft");
        Converter.Options o = new Converter.Options(List.of(data("real/fashion-mnist-test.parquet").toString()), out,
            false, budget, Codec.ZSTD, threads, null, false, true, null, false, false);
        Converter.Result r = new Converter(o, System.err).run();
        assertTrue(r.ok(), () -> r.failures.toString());
        assertEquals(10_000, rows(out));
        assertTrue(r.arrowPeak <= budget, "Arrow peak " + Sizes.human(r.arrowPeak) + " > " + Sizes.human(budget));
      }
    }
  }
}

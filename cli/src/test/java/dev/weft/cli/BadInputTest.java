package dev.weft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.weft.cli.CliRun.Result;
import dev.weft.testdata.RandomArrow;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input to inspect, head, take and cat: a one-line error on stderr naming the file and the
 * reason, exit code 2, quickly, never a stack trace (issue 7, point 8).
 */
class BadInputTest {
  static final List<String> READ_COMMANDS = List.of("inspect", "head", "cat");

  @TempDir static Path dir;
  static Path known;

  @BeforeAll
  static void writeFile() throws IOException {
    known = Fixtures.knownFile(dir);
  }

  /** Runs and checks: exit code 2, one line on stderr starting "weft CMD: " and containing {@code expected}. */
  static Result fails(String expected, String... args) {
    Result r = CliRun.run(args);
    assertEquals(2, r.rc(), r::all);
    assertEquals(0, r.stdoutBytes().length, r::all);
    assertOneLine(r, "weft " + args[0] + ": ");
    assertTrue(r.err().contains(expected), () -> "expected '" + expected + "'\n" + r.all());
    return r;
  }

  static void assertOneLine(Result r, String prefix) {
    assertEquals(1, r.err().lines().count(), r::all);
    assertTrue(r.err().startsWith(prefix), r::all);
    assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r::all);
  }

  @Test
  void missingPathDirectoryAndEmptyFile() throws IOException {
    Path missing = dir.resolve("missing.weft");
    Path empty = Files.createFile(dir.resolve("empty.weft"));
    for (String cmd : READ_COMMANDS) {
      fails(missing + ": no such file or directory", cmd, missing.toString());
      fails(dir + ": is a directory, not a Weft file", cmd, dir.toString());
      fails(empty + ": empty file, not a Weft file", cmd, empty.toString());
    }
    fails(missing + ": no such file or directory", "take", missing.toString(), "--rows", "1");
  }

  @Test
  void otherFormats() throws IOException {
    Path parquet = Files.write(dir.resolve("fake.parquet"), "PAR1 not really parquet PAR1".getBytes(StandardCharsets.US_ASCII));
    Path arrow = Files.write(dir.resolve("x.arrow"), "ARROW1\0\0 more bytes".getBytes(StandardCharsets.US_ASCII));
    Path text = Files.write(dir.resolve("notes.txt"), "hello, world\n".getBytes(StandardCharsets.US_ASCII));
    for (String cmd : READ_COMMANDS) {
      fails(parquet + ": is a Parquet file, not a Weft file (convert it first: weft convert", cmd, parquet.toString());
      fails(arrow + ": is an Arrow IPC file, not a Weft file", cmd, arrow.toString());
      fails(text + ": not a Weft file", cmd, text.toString());
    }
  }

  @Test
  void realParquetFilesFromTheSharedTestData() throws IOException {
    Path data = Path.of("..", "..", "shared", "testdata", "parquet-testing", "data").toAbsolutePath().normalize();
    assumeTrue(Files.isDirectory(data), "no " + data);
    for (String name : List.of("alltypes_plain.parquet", "nested_lists.snappy.parquet")) {
      Path p = data.resolve(name);
      if (Files.exists(p)) {
        for (String cmd : READ_COMMANDS) {
          fails("is a Parquet file, not a Weft file", cmd, p.toString());
        }
      }
    }
  }

  @Test
  void truncatedFiles() throws IOException {
    byte[] bytes = Files.readAllBytes(known);
    for (int length : new int[] {1, 8, 31, 32, 55, bytes.length / 2, bytes.length - 24, bytes.length - 1}) {
      Path t = Files.write(dir.resolve("truncated-" + length + ".weft"), Arrays.copyOf(bytes, length));
      for (String cmd : READ_COMMANDS) {
        fails(t.getFileName().toString(), cmd, t.toString());
      }
    }
  }

  /**
   * Flips one bit at many positions: every run ends within seconds with exit code 0 (the bit was
   * in padding, or in data the command did not read), 1 (inspect --check found it) or 2 with one
   * line naming the file.
   */
  @Test
  void bitFlips() throws IOException {
    byte[] good = Files.readAllBytes(known);
    Random rnd = new Random(7);
    Path flipped = dir.resolve("flipped.weft");
    int failures = 0;
    for (int k = 0; k < 60; k++) {
      // half of the flips land in the metadata at the end of the file
      int pos = k % 2 == 0 ? rnd.nextInt(good.length) : good.length - 1 - rnd.nextInt(Math.min(good.length, 2000));
      byte[] b = good.clone();
      b[pos] ^= (byte) (1 << rnd.nextInt(8));
      Files.write(flipped, b);
      for (String[] args : new String[][] {
          {"inspect", flipped.toString(), "--check"}, {"cat", flipped.toString()},
          {"take", flipped.toString(), "--rows", "3,0"}, {"inspect", flipped.toString(), "--json"}}) {
        Result r = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> CliRun.run(args),
            () -> "flip at " + pos + ": " + String.join(" ", args));
        String where = "flip at " + pos + ": " + String.join(" ", args) + "\n" + r.all();
        if (r.rc() == 0) {
          assertEquals("", r.err(), where);
          continue;
        }
        failures++;
        assertTrue(r.rc() == 2 || r.rc() == 1 && args[0].equals("inspect"), where);
        assertOneLine(r, "weft " + args[0] + ": ");
        assertTrue(r.err().contains(flipped.toString()), where);
      }
    }
    assertTrue(failures > 50, "only " + failures + " runs noticed a flipped bit");
  }

  @Test
  void badRowsAndColumns() {
    String f = known.toString();
    fails(f + ": row id 4 is out of range: the file has 4 rows (ids 0-3)", "take", f, "--rows", "1,4");
    fails(f + ": row id 10 is out of range", "take", f, "--rows", "2-10");
    fails("--rows: range '3-1' ends before it starts", "take", f, "--rows", "3-1");
    fails("--rows: 'x' is not a row id or a range like 10-20", "take", f, "--rows", "x");
    fails("--rows: '-1': row ids are 0 or more", "take", f, "--rows=-1");
    fails("Missing required option: '--rows=IDS'", "take", f);
    for (String cmd : List.of("head", "cat", "take")) {
      String[] extra = cmd.equals("take") ? new String[] {"--rows", "0"} : new String[0];
      fails(f + ": no column 'nope' (10 columns: id, name, score, ts, tags, s, m, dec, bin, d)",
          concat(new String[] {cmd, f, "--columns", "id,nope"}, extra));
      fails(f + ": no column 'ID' (did you mean 'id'?)", concat(new String[] {cmd, f, "-c", "ID"}, extra));
      fails(f + ": no column 's.a'; --columns takes top-level columns only",
          concat(new String[] {cmd, f, "-c", "s.a"}, extra));
      fails("--columns: column 'id' is listed twice", concat(new String[] {cmd, f, "-c", "id,name,id"}, extra));
    }
    fails("-n must be 0 or more, got -3", "head", f, "-n", "-3");
    fails("Invalid value for option '--num-rows': 'ten' is not a long", "head", f, "-n", "ten");
    fails("Invalid value for option '--format': expected one of [table, jsonl, csv, arrow]", "cat", f, "-f", "xml");
  }

  @Test
  void badWherePredicates() {
    for (String cmd : List.of("head", "cat")) {
      Result r = fails("--where", cmd, known.toString(), "--where", "id >");
      assertEquals("weft " + cmd + ": --where: invalid predicate at position 4 (at the end): expected a column or a"
          + " value after '>', found the end\n", r.err());
      fails("no column 'nope'", cmd, known.toString(), "--where", "nope = 1");
      fails("column 'id' of type int64 cannot be compared with the string 'x'", cmd, known.toString(),
          "--where", "id = 'x'");
      fails("column 'tags' of type list<item: int32> cannot be compared with a value", cmd, known.toString(),
          "--where", "tags = 1");
    }
    // a syntax error is found before the file is opened
    fails("expected ')'", "head", dir.resolve("missing.weft").toString(), "--where", "(x = 1");
  }

  @Test
  void randomGarbageWithTheMagic() throws IOException {
    Random rnd = new Random(3);
    for (int size : new int[] {100, 5000, 100_000}) {
      byte[] b = new byte[size];
      rnd.nextBytes(b);
      System.arraycopy("WEFT".getBytes(StandardCharsets.US_ASCII), 0, b, 0, 4);
      System.arraycopy("WEFT".getBytes(StandardCharsets.US_ASCII), 0, b, size - 4, 4);
      Path p = Files.write(dir.resolve("garbage-" + size + ".weft"), b);
      for (String cmd : READ_COMMANDS) {
        fails(p.toString(), cmd, p.toString());
      }
    }
  }

  @Test
  void randomSchemaFileWithFlippedDataStillFailsCleanly() throws IOException {
    Path f = Fixtures.randomFile(dir, "rnd.weft", RandomArrow.randomSchema(new Random(11), 4, 3), 300,
        RandomArrow.Options.defaults());
    byte[] good = Files.readAllBytes(f);
    Random rnd = new Random(5);
    for (int k = 0; k < 30; k++) {
      byte[] b = good.clone();
      int pos = 32 + rnd.nextInt(good.length - 32);
      b[pos] ^= (byte) (1 << rnd.nextInt(8));
      Path p = Files.write(dir.resolve("rnd-flipped.weft"), b);
      Result r = CliRun.run("cat", p.toString(), "--format", "arrow");
      if (r.rc() != 0) {
        assertEquals(2, r.rc(), r::all);
        assertOneLine(r, "weft cat: ");
      }
    }
  }

  private static String[] concat(String[] a, String[] b) {
    String[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}

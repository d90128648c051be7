package dev.weft.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.cli.CliRun;
import dev.weft.cli.CliRun.Result;
import dev.weft.cli.Fixtures;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code weft head}, {@code take} and {@code cat} on the known 4-row table of
 * {@link Fixtures#knownFile}: the exact table, JSON Lines and CSV text. The expected values are
 * what pyarrow's {@code to_pylist()} gives for the same rows (checked by hand with pyarrow 25).
 */
class RowCommandsTest {
  @TempDir static Path dir;
  static String file;

  static final String JSONL = String.join("\n",
      "{\"id\": 0, \"name\": \"alice\", \"score\": 1.5, \"ts\": \"1970-01-01T00:00:00+00:00\", \"tags\": [1, 2], "
          + "\"s\": {\"a\": 1, \"b\": \"x\"}, \"m\": [[\"k\", 1]], \"dec\": \"12.30\", \"bin\": \"AEE=\", \"d\": \"2024-01-01\"}",
      "{\"id\": 1, \"name\": null, \"score\": NaN, \"ts\": \"2023-11-14T22:13:20.123456+00:00\", \"tags\": [], "
          + "\"s\": null, \"m\": [], \"dec\": \"-0.05\", \"bin\": \"\", \"d\": null}",
      "{\"id\": 2, \"name\": \"b,\\\"q\\\"\", \"score\": null, \"ts\": null, \"tags\": null, "
          + "\"s\": {\"a\": null, \"b\": null}, \"m\": null, \"dec\": null, \"bin\": null, \"d\": \"1970-01-01\"}",
      "{\"id\": 3, \"name\": \"x\\ny\", \"score\": 1e-05, \"ts\": \"1969-12-31T23:59:59.999999+00:00\", \"tags\": [null, 3], "
          + "\"s\": {\"a\": -7, \"b\": \"é\"}, \"m\": [[\"a\", null], [\"b\", 2]], \"dec\": \"0.00\", \"bin\": \"/w==\", "
          + "\"d\": \"1969-12-31\"}") + "\n";

  static final String CSV = String.join("\n",
      "\"id\",\"name\",\"score\",\"ts\",\"tags\",\"s\",\"m\",\"dec\",\"bin\",\"d\"",
      "0,\"alice\",1.5,1970-01-01T00:00:00+00:00,\"[1, 2]\",\"{\"\"a\"\": 1, \"\"b\"\": \"\"x\"\"}\",\"[[\"\"k\"\", 1]]\","
          + "12.30,\"AEE=\",2024-01-01",
      "1,,NaN,2023-11-14T22:13:20.123456+00:00,\"[]\",,\"[]\",-0.05,\"\",",
      "2,\"b,\"\"q\"\"\",,,,\"{\"\"a\"\": null, \"\"b\"\": null}\",,,,1970-01-01",
      "3,\"x\ny\",1e-05,1969-12-31T23:59:59.999999+00:00,\"[null, 3]\",\"{\"\"a\"\": -7, \"\"b\"\": \"\"é\"\"}\","
          + "\"[[\"\"a\"\", null], [\"\"b\"\", 2]]\",0.00,\"/w==\",1969-12-31") + "\n";

  static final String TABLE = String.join("\n",
      "#     id  name     score  ts                                tags               s                            m                                     dec  bin       d",
      "   int64  string  double  timestamp[us, tz=UTC]             list<item: int32>  struct<a: int32, b: string>  map<string, int64>       decimal128(9, 2)  binary    date32[day]",
      "-  -----  ------  ------  --------------------------------  -----------------  ---------------------------  -----------------------  ----------------  --------  -----------",
      "0      0  alice      1.5  1970-01-01 00:00:00+00:00         [1, 2]             {'a': 1, 'b': 'x'}           [('k', 1)]                          12.30  b'\\x00A'  2024-01-01",
      "1      1  None       nan  2023-11-14 22:13:20.123456+00:00  []                 None                         []                                  -0.05  b''       None",
      "2      2  b,\"q\"     None  None                              None               {'a': None, 'b': None}       None                                 None  None      1970-01-01",
      "3      3  x\\ny     1e-05  1969-12-31 23:59:59.999999+00:00  [None, 3]          {'a': -7, 'b': 'é'}          [('a', None), ('b', 2)]              0.00  b'\\xff'   1969-12-31",
      "(all 4 rows of 4)") + "\n";

  @BeforeAll
  static void writeFile() throws IOException {
    file = Fixtures.knownFile(dir).toString();
  }

  private static Result ok(String... args) {
    Result r = CliRun.run(args);
    assertEquals(0, r.rc(), r::all);
    assertEquals("", r.err(), r::all);
    return r;
  }

  @Test
  void headPrintsATableByDefault() {
    assertEquals(TABLE, ok("head", file).out());
  }

  @Test
  void headJsonlAndCsv() {
    assertEquals(JSONL, ok("head", file, "--format", "jsonl").out());
    assertEquals(CSV, ok("head", file, "-f", "CSV").out());
  }

  @Test
  void whereFiltersRows() {
    // score: 1.5, NaN, null, 1e-05; NaN is the greatest float, null never matches
    assertEquals("{\"id\": 0}\n{\"id\": 1}\n", ok("cat", file, "--where", "score > 1", "--columns", "id").out());
    assertEquals("{\"id\": 2}\n", ok("cat", file, "--where", "name IS NOT NULL AND score IS NULL", "-c", "id").out());
    assertEquals("{\"id\": 0, \"name\": \"alice\"}\n{\"id\": 3, \"name\": \"x\\ny\"}\n",
        ok("cat", file, "-c", "id,name", "--where", "name IN ('alice', 'x\ny') OR d < DATE '1970-01-01'").out());
    assertEquals("\"id\"\n3\n", ok("head", file, "-n", "5", "-c", "id", "-f", "csv", "--where",
        "NOT (dec >= 0.01) AND dec > -0.05").out());
    assertEquals("", ok("cat", file, "--where", "id > 100").out());
    // the table shows the file's row ids of the matching rows
    String t = ok("head", file, "-n", "1", "-c", "id", "--where", "id >= 2").out();
    assertTrue(t.contains("\n2      2\n"), t);
    assertTrue(t.contains("(first 1 row where id >= 2; 1 of 10 columns)"), t);
  }

  @Test
  void headLimitsRowsAndProjectsColumns() {
    Result r = ok("head", file, "-n", "2", "--columns", "name,id", "-f", "jsonl");
    assertEquals("{\"name\": \"alice\", \"id\": 0}\n{\"name\": null, \"id\": 1}\n", r.out());
    Result t = ok("head", file, "-n", "1", "-c", "id,tags");
    assertEquals(String.join("\n",
        "#     id  tags",
        "   int64  list<item: int32>",
        "-  -----  -----------------",
        "0      0  [1, 2]",
        "(first 1 row of 4; 2 of 10 columns)") + "\n", t.out());
    assertEquals("\"id\"\n", ok("head", file, "-n", "0", "-c", "id", "-f", "csv").out());
  }

  @Test
  void tableCutsLongValues() {
    Result r = ok("head", file, "-n", "1", "-c", "s", "--max-width", "10");
    assertTrue(r.out().contains("{'a': 1..."), r::all);
    assertTrue(r.out().contains("struct<..."), r::all);
  }

  @Test
  void catWritesJsonlByDefault() {
    assertEquals(JSONL, ok("cat", file).out());
    assertEquals(CSV, ok("cat", file, "--format", "csv").out());
    assertTrue(ok("cat", file, "--format", "table").out().endsWith("(4 rows)\n"));
  }

  @Test
  void takeReturnsRowsInTheGivenOrder() {
    Result r = ok("take", file, "--rows", "3,0,3", "-f", "jsonl", "-c", "id,name");
    assertEquals("{\"id\": 3, \"name\": \"x\\ny\"}\n{\"id\": 0, \"name\": \"alice\"}\n{\"id\": 3, \"name\": \"x\\ny\"}\n",
        r.out());
    Result range = ok("take", file, "--rows", "1-3", "--rows", "0", "-c", "id", "-f", "csv");
    assertEquals("\"id\"\n1\n2\n3\n0\n", range.out());
    Result table = ok("take", file, "-r", "2,1", "-c", "d");
    assertEquals(String.join("\n",
        "#  d",
        "   date32[day]",
        "-  -----------",
        "2  1970-01-01",
        "1  None",
        "(2 rows of 4; 1 of 10 columns)") + "\n", table.out());
  }

  @Test
  void brokenPipeEndsQuietly() {
    for (String format : new String[] {"jsonl", "csv", "table", "arrow"}) {
      Result r = CliRun.run(new CliRun.ClosingPipe(10), "cat", file, "--format", format);
      assertEquals(141, r.rc(), () -> format + ": " + r.all());
      assertEquals("", r.err(), () -> format + ": " + r.all());
    }
  }

  @Test
  void otherWriteErrorsAreReported() {
    java.io.OutputStream full = new java.io.OutputStream() {
      @Override
      public void write(int b) throws IOException {
        throw new IOException("No space left on device");
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        throw new IOException("No space left on device");
      }
    };
    Result r = CliRun.run(full, "cat", file);
    assertEquals(2, r.rc(), r::all);
    assertEquals("weft cat: cannot write to standard output: No space left on device\n", r.err());
  }
}

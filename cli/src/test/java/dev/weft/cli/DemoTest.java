package dev.weft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Runs the demo's entry point in-process on a small table. */
class DemoTest {
  /** Output and exit status of one in-process run. */
  private record Run(int rc, String out, String err) {
    String all() {
      return "exit status " + rc + "\n--- stdout ---\n" + out + "\n--- stderr ---\n" + err;
    }
  }

  private static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      rc = Demo.run(args, o, e);
    }
    return new Run(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void smallRunPrintsEverySectionAndCleansUp() {
    Run r = run("--rows", "5000", "--single-takes", "200", "--batch-takes", "2");
    assertEquals(0, r.rc(), r::all);
    for (String expected : List.of(
        "Weft demo", "rows        5,000 (seed 42)",
        "== Storage and write ==", "== Read: scan and random take (medians of 3 rounds) ==", "== Check ==",
        "weft, zstd", "weft, none", "Arrow IPC file",
        "size", "bytes/row", "write rows/s", "scan rows/s", "scan MB/s", "take 1 rows/s", "take 256 rows/s",
        "Done in")) {
      assertTrue(r.out().contains(expected), () -> "missing '" + expected + "'\n" + r.all());
    }
    assertEquals(2, count(r.out(), "equal the generated data: OK"), r::all);
    assertFalse(r.out().contains("NaN") || r.out().contains("Infinity"), r::all);

    Matcher m = Pattern.compile("work dir\\s+(\\S+) \\(deleted at the end\\)").matcher(r.out());
    assertTrue(m.find(), r::all);
    Path dir = Paths.get(m.group(1));
    assertTrue(dir.startsWith(Paths.get(System.getProperty("java.io.tmpdir")).toAbsolutePath()), r::all);
    assertFalse(Files.exists(dir), () -> "work dir " + dir + " still exists");
    assertTrue(r.out().contains("work dir " + dir + " deleted: yes"), r::all);
  }

  @Test
  void helpPrintsUsage() {
    Run r = run("--help");
    assertEquals(0, r.rc(), r::all);
    assertTrue(r.out().startsWith("usage: weft-demo"), r::all);
  }

  @Test
  void badArgumentsExitWithStatus2() {
    for (String[] args : List.of(new String[] {"--rows", "0"}, new String[] {"--rows"},
        new String[] {"--rows", "many"}, new String[] {"--frobnicate"})) {
      Run r = run(args);
      assertEquals(2, r.rc(), r::all);
      assertTrue(r.err().startsWith("weft-demo: "), r::all);
      assertTrue(r.err().contains("usage: weft-demo"), r::all);
    }
  }

  private static int count(String s, String sub) {
    int n = 0;
    for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + 1)) {
      n++;
    }
    return n;
  }
}

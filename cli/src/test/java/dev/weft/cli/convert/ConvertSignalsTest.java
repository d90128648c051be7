package dev.weft.cli.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C (SIGINT/SIGTERM) and kill -9 in the middle of a conversion, in a real process: no
 * file ever appears under the final name, and after SIGTERM no temporary file is left either.
 */
class ConvertSignalsTest {
  private static Process start(Path out, Path log) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Path src = TestFiles.data("real/flights-3m.parquet");
    List<String> cmd = new ArrayList<>(List.of(java, "--add-opens=java.base/java.nio=ALL-UNNAMED", "-Xmx1g", "-cp", cp,
        "dev.weft.cli.WeftCli", "convert"));
    for (int i = 0; i < 4; i++) {
      cmd.add(src.toString()); // four times the same file: one long conversion into one output
    }
    cmd.addAll(List.of("-o", out.toString(), "--threads", "2", "--memory-budget", "128m"));
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  private static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList();
    }
  }

  /** Waits until the writer's temporary file exists (the conversion is under way). */
  private static boolean waitForTemp(Path dir, Process p) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline && p.isAlive()) {
      for (Path f : files(dir)) {
        if (f.getFileName().toString().endsWith(".weft-tmp")) {
          Thread.sleep(300); // some row groups in
          return p.isAlive();
        }
      }
      Thread.sleep(20);
    }
    return false;
  }

  @Test
  void sigtermLeavesNothingBehind(@TempDir Path tmp) throws Exception {
    assumeTrue(File.separatorChar == '/', "POSIX signals");
    Path out = tmp.resolve("all.weft");
    Process p = start(out, tmp.resolve("log.txt"));
    try {
      assumeTrue(waitForTemp(tmp, p), "the conversion ended before it could be interrupted");
      p.destroy(); // SIGTERM, what Ctrl-C's SIGINT also triggers: the shutdown hook
      assertTrue(p.waitFor(30, TimeUnit.SECONDS), "no exit after SIGTERM");
    } finally {
      p.destroyForcibly();
    }
    assertFalse(Files.exists(out), "a file under the final name after SIGTERM");
    List<Path> left = files(tmp).stream().filter(f -> !f.getFileName().toString().equals("log.txt")).toList();
    assertEquals(List.of(), left, () -> "left behind after SIGTERM; log: " + read(tmp.resolve("log.txt")));
  }

  @Test
  void killMinus9NeverLeavesAPartialFileUnderTheFinalName(@TempDir Path tmp) throws Exception {
    assumeTrue(File.separatorChar == '/', "POSIX signals");
    Path out = tmp.resolve("all.weft");
    Process p = start(out, tmp.resolve("log.txt"));
    try {
      assumeTrue(waitForTemp(tmp, p), "the conversion ended before it could be killed");
      p.destroyForcibly(); // SIGKILL: no hook runs
      assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    } finally {
      p.destroyForcibly();
    }
    assertFalse(Files.exists(out), "a file under the final name after kill -9");
    for (Path f : files(tmp)) {
      String n = f.getFileName().toString();
      assertTrue(n.equals("log.txt") || (n.startsWith(".all.weft.") && n.endsWith(".weft-tmp")), n);
    }
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      return e.toString();
    }
  }
}

package dev.weft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.cli.CliRun.Result;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Help, version, usage errors and exit codes of the weft command (in-process). */
class UsageTest {
  static final List<String> COMMANDS = List.of("inspect", "head", "take", "cat");

  @Test
  void helpOfEveryCommandHasExamples() {
    for (String cmd : COMMANDS) {
      for (String flag : List.of("--help", "-h")) {
        Result r = CliRun.run(cmd, flag);
        assertEquals(0, r.rc(), r::all);
        assertEquals("", r.err(), r::all);
        assertTrue(r.out().startsWith("Usage: weft " + cmd + " "), r::all);
        assertTrue(r.out().contains("\nExamples:\n  weft " + cmd + " "), r::all);
        assertTrue(r.out().contains("--columns") || cmd.equals("inspect"), r::all);
        r.out().lines().forEach(line -> assertTrue(line.length() <= 80, () -> "long line: " + line));
      }
      Result help = CliRun.run("help", cmd);
      assertEquals(0, help.rc(), help::all);
      assertTrue(help.out().startsWith("Usage: weft " + cmd + " "), help::all);
    }
    Result root = CliRun.run("--help");
    assertEquals(0, root.rc(), root::all);
    assertTrue(root.out().contains("Commands:") && root.out().contains("Examples:"), root::all);
    for (String cmd : COMMANDS) {
      assertTrue(root.out().contains("\n  " + cmd + " "), root::all);
    }
  }

  @Test
  void version() {
    for (String flag : List.of("--version", "-V")) {
      Result r = CliRun.run(flag);
      assertEquals(0, r.rc(), r::all);
      assertTrue(r.out().startsWith("weft "), r::all);
      assertTrue(r.out().contains("\nformat version " + dev.weft.format.WeftFormat.VERSION_MAJOR_CURRENT + "." + dev.weft.format.WeftFormat.VERSION_MINOR_CURRENT + " "), r::all);
    }
  }

  @Test
  void usageErrorsAreOneLineAndExitCode2() {
    check(CliRun.run(), "weft: missing COMMAND (see 'weft --help')", false);
    check(CliRun.run("hed", "x.weft"), "weft: unknown command 'hed' (did you mean 'head'?) (see 'weft --help')", true);
    check(CliRun.run("--bogus"), "weft: Unknown option: '--bogus'", true);
    check(CliRun.run("head"), "weft head: Missing required parameter: 'FILE' (see 'weft head --help')", true);
    check(CliRun.run("head", "a.weft", "--bogus"), "weft head: Unknown option: '--bogus'", true);
    check(CliRun.run("cat", "a.weft", "b.weft"), "weft cat: Unmatched argument at index 2: 'b.weft'", true);
    check(CliRun.run("take", "a.weft", "--rows"), "weft take: Missing required parameter for option '--rows'", true);
    check(CliRun.run("inspect", "--json"), "weft inspect: Missing required parameter: 'FILE'", true);
  }

  private static void check(Result r, String start, boolean oneLine) {
    assertEquals(2, r.rc(), r::all);
    assertTrue(r.err().startsWith(start), r::all);
    if (oneLine) {
      assertEquals(1, r.err().lines().count(), r::all);
    }
    assertEquals(0, r.stdoutBytes().length, r::all);
  }

  @Test
  void debugAddsTheStackTrace() {
    Result plain = CliRun.run("head", "/no/such/file.weft");
    assertEquals(2, plain.rc());
    assertEquals("weft head: /no/such/file.weft: no such file or directory\n", plain.err());
    for (String[] args : new String[][] {
        {"head", "/no/such/file.weft", "--debug"}, {"--debug", "head", "/no/such/file.weft"}}) {
      Result r = CliRun.run(args);
      assertEquals(2, r.rc(), r::all);
      assertTrue(r.err().startsWith("weft head: /no/such/file.weft: no such file or directory\n"), r::all);
      assertTrue(r.err().contains("\tat dev.weft.cli."), r::all);
    }
  }
}

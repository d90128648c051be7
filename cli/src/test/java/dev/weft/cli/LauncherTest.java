package dev.weft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.testdata.ArrowAssert;
import dev.weft.testdata.RandomArrow;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the real launcher, {@code bin/weft}, as a subprocess: arguments, stdout (text and binary),
 * stderr and exit codes pass through it.
 *
 * <p>The launcher runs the CLI from {@code WEFT_CLASSPATH} when that is set, building nothing;
 * these tests set it to this test JVM's class path (target/classes and the dependencies), so they
 * work in {@code mvn test} and {@code mvn verify} before the jar is packaged, and never start a
 * Maven build inside a Maven build. The jar path of the launcher (build when missing or stale)
 * is what users run; it differs only in where the class path comes from.
 */
class LauncherTest {
  @TempDir static Path dir;
  static Path launcher;
  static Path file;
  static Path all;

  @BeforeAll
  static void setUp() throws IOException {
    Path root = Path.of("").toAbsolutePath();
    while (root != null && !Files.isRegularFile(root.resolve("bin/weft"))) {
      root = root.getParent();
    }
    assertTrue(root != null, "bin/weft not found above " + Path.of("").toAbsolutePath());
    launcher = root.resolve("bin/weft");
    file = Fixtures.knownFile(dir);
    all = Fixtures.randomFile(dir, "all.weft", RandomArrow.allTypesSchema(), 600, RandomArrow.Options.defaults());
  }

  /** The class path of this JVM (surefire may put it in a manifest-only jar; it then says so here). */
  static String classPath() {
    String cp = System.getProperty("surefire.test.class.path");
    return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
  }

  record Proc(int rc, byte[] out, String err) {
    String outText() {
      return new String(out, StandardCharsets.UTF_8);
    }

    String all() {
      return "exit code " + rc + "\n--- stdout ---\n" + outText() + "\n--- stderr ---\n" + err;
    }
  }

  static Proc run(Map<String, String> env, List<String> command) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().put("WEFT_CLASSPATH", classPath());
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    pb.environment().remove("WEFT_JAVA_OPTS");
    pb.environment().putAll(env);
    pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    Process p = pb.start();
    CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
    CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("timed out: " + command);
    }
    return new Proc(p.exitValue(), out.join(), new String(err.join(), StandardCharsets.UTF_8));
  }

  static Proc weft(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(launcher.toString()));
    cmd.addAll(List.of(args));
    return run(Map.of(), cmd);
  }

  private static byte[] readAll(InputStream in) {
    try (in) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The JIT level the launcher starts a convert with (read back with -XX:+PrintFlagsFinal). */
  private static String tieredStopAtLevel(Map<String, String> env, String... args) throws Exception {
    return finalFlag("TieredStopAtLevel", "", env, args);
  }

  /** A JVM flag's final value in a launcher run ({@code opts}: more WEFT_JAVA_OPTS). */
  private static String finalFlag(String flag, String opts, Map<String, String> env, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(launcher.toString()));
    cmd.addAll(List.of(args));
    java.util.HashMap<String, String> e = new java.util.HashMap<>(env);
    e.put("WEFT_JAVA_OPTS", ("-XX:+PrintFlagsFinal " + opts).trim());
    Proc p = run(e, cmd);
    assertEquals(0, p.rc(), p::all);
    for (String line : p.outText().split("\n")) {
      if (line.contains(" " + flag + " ")) {
        return line.replaceAll(".*= *([0-9a-z]+).*", "$1");
      }
    }
    throw new AssertionError("no " + flag + " in " + p.all());
  }

  /**
   * Small conversions also run with the serial collector, unless WEFT_JAVA_OPTS names a collector
   * (two would stop the JVM from starting); large ones keep the JVM's default.
   */
  @Test
  void smallConversionsUseTheSerialCollectorUnlessOneIsNamed() throws Exception {
    Path src = dev.weft.cli.convert.TestFiles.data("parquet-testing/data/alltypes_tiny_pages.parquet");
    String out = dir.resolve("gc.weft").toString();
    assertEquals("true", finalFlag("UseSerialGC", "", Map.of(), "convert", src.toString(), "-o", out, "--overwrite"));
    assertEquals("false", finalFlag("UseSerialGC", "-XX:+UseParallelGC", Map.of(), "convert", src.toString(), "-o",
        out, "--overwrite"));
    assertEquals("true", finalFlag("UseParallelGC", "-XX:+UseParallelGC", Map.of(), "convert", src.toString(), "-o",
        out, "--overwrite"));
    assertEquals("false", finalFlag("UseSerialGC", "", Map.of("WEFT_C1_MAX_BYTES", "0"), "convert", src.toString(),
        "-o", out, "--overwrite"));
    // and half the heap young (one collection fewer in a conversion like flights-3m), unless sized by the user
    assertEquals("1", finalFlag("NewRatio", "", Map.of(), "convert", src.toString(), "-o", out, "--overwrite"));
    assertEquals("3", finalFlag("NewRatio", "-XX:NewRatio=3", Map.of(), "convert", src.toString(), "-o", out,
        "--overwrite"));
    assertEquals("2", finalFlag("NewRatio", "", Map.of("WEFT_C1_MAX_BYTES", "0"), "convert", src.toString(), "-o",
        out, "--overwrite"));
  }

  /** Small conversions run with C1 only; large ones, unknown sizes (globs) and WEFT_C1_MAX_BYTES=0 keep C2. */
  @Test
  void smallConversionsRunWithC1Only() throws Exception {
    Path src = dev.weft.cli.convert.TestFiles.data("parquet-testing/data/alltypes_tiny_pages.parquet");
    String out = dir.resolve("jit.weft").toString();
    assertEquals("1", tieredStopAtLevel(Map.of(), "convert", src.toString(), "-o", out, "--overwrite", "--threads", "1"));
    assertEquals("1", tieredStopAtLevel(Map.of(), "convert", src.getParent().resolve("alltypes_plain.parquet").toString(),
        src.toString(), "-o", dir.resolve("jit2").toString(), "--overwrite"));
    assertEquals("4", tieredStopAtLevel(Map.of("WEFT_C1_MAX_BYTES", "0"), "convert", src.toString(), "-o", out,
        "--overwrite"));
    assertEquals("4", tieredStopAtLevel(Map.of("WEFT_C1_MAX_BYTES", "1000"), "convert", src.toString(), "-o", out,
        "--overwrite"));
    assertEquals("4", tieredStopAtLevel(Map.of(), "convert", src.getParent() + "/alltypes_tiny_pages.parq*", "-o", out,
        "--overwrite"));
    // their loops are compiled on the stack sooner; long conversions keep the JVM's default
    assertEquals("6000", finalFlag("Tier3BackEdgeThreshold", "", Map.of(), "convert", src.toString(), "-o", out,
        "--overwrite"));
    assertEquals("60000", finalFlag("Tier3BackEdgeThreshold", "", Map.of("WEFT_C1_MAX_BYTES", "0"), "convert",
        src.toString(), "-o", out, "--overwrite"));
  }

  @Test
  void versionAndHelp() throws Exception {
    Proc v = weft("--version");
    assertEquals(0, v.rc(), v::all);
    assertTrue(v.outText().startsWith("weft ") && v.outText().contains("format version " + dev.weft.format.WeftFormat.VERSION_MAJOR_CURRENT + "." + dev.weft.format.WeftFormat.VERSION_MINOR_CURRENT), v::all);
    assertEquals("", v.err(), v::all);
    assertTrue(v.outText().contains("image decoding with the Vector API: off: the JVM was started without "
        + "--add-modules jdk.incubator.vector (weft serve adds it; WEFT_VECTOR=1: every command)"), v::all);
    Proc vector = run(Map.of("WEFT_VECTOR", "1"), List.of(launcher.toString(), "--version"));
    assertEquals(0, vector.rc(), vector::all);
    assertTrue(vector.outText().contains("image decoding with the Vector API: on ("), vector::all);
    assertEquals("", vector.err(), vector::all); // the JVM's warning about the incubator module is filtered out
    Proc h = weft("take", "--help");
    assertEquals(0, h.rc(), h::all);
    assertTrue(h.outText().startsWith("Usage: weft take") && h.outText().contains("Examples:"), h::all);
  }

  @Test
  void textOutputAndArguments() throws Exception {
    Proc r = weft("head", file.toString(), "-n", "2", "--columns", "id,name,tags", "--format", "jsonl");
    assertEquals(0, r.rc(), r::all);
    assertEquals("{\"id\": 0, \"name\": \"alice\", \"tags\": [1, 2]}\n{\"id\": 1, \"name\": null, \"tags\": []}\n",
        r.outText());
    assertEquals("", r.err());
  }

  @Test
  void arrowStreamOnStdoutIsClean() throws Exception {
    Proc r = weft("cat", all.toString(), "--format", "arrow");
    assertEquals(0, r.rc(), r::all);
    assertEquals("", r.err());
    try (BufferAllocator alloc = new RootAllocator();
        VectorSchemaRoot expected = Fixtures.randomRows(RandomArrow.allTypesSchema(), 600,
            RandomArrow.Options.defaults(), alloc);
        ArrowStreamReader reader = new ArrowStreamReader(new ByteArrayInputStream(r.out()), alloc)) {
      int row = 0;
      while (reader.loadNextBatch()) {
        VectorSchemaRoot batch = reader.getVectorSchemaRoot();
        int[] rows = new int[batch.getRowCount()];
        for (int i = 0; i < rows.length; i++) {
          rows[i] = row + i;
        }
        ArrowAssert.assertRowsEqual(expected, rows, batch);
        row += rows.length;
      }
      assertEquals(600, row);
    }
  }

  @Test
  void errorsAreOneLineWithExitCode2() throws Exception {
    Proc missing = weft("cat", dir.resolve("missing.weft").toString());
    assertEquals(2, missing.rc(), missing::all);
    assertEquals("weft cat: " + dir.resolve("missing.weft") + ": no such file or directory\n", missing.err());
    Proc usage = weft("head", "--frobnicate", file.toString());
    assertEquals(2, usage.rc(), usage::all);
    assertEquals("weft head: Unknown option: '--frobnicate' (see 'weft head --help')\n", usage.err());
    Proc range = weft("take", file.toString(), "--rows", "99");
    assertEquals(2, range.rc(), range::all);
    assertEquals(1, range.err().lines().count(), range::all);
    assertEquals(0, range.out().length);
    // an unbalanced quote in a list option: picocli's own WARN lines are off, the error stays one line
    Proc quote = weft("head", file.toString(), "--columns", "na\"me,id");
    assertEquals(2, quote.rc(), quote::all);
    assertEquals(1, quote.err().lines().count(), quote::all);
    assertTrue(quote.err().startsWith("weft head: ") && quote.err().contains("no column 'na\"me'"), quote::all);
  }

  @Test
  void closedPipeEndsQuietly() throws Exception {
    // about 1 MB of JSON Lines into a reader that takes one byte and leaves
    Proc r = run(Map.of(), List.of("bash", "-c", "set -o pipefail; \"$0\" cat \"$1\" | head -c 1 >/dev/null",
        launcher.toString(), all.toString()));
    assertTrue(r.rc() == 141 || r.rc() == 0, r::all);
    assertEquals("", r.err(), r::all);
  }

  @Test
  void missingJavaIsReported() throws Exception {
    // a PATH with the one tool the launcher needs before it looks for java (dirname), no java
    Path bin = Files.createDirectories(dir.resolve("bin-without-java"));
    String dirname = Files.isExecutable(Path.of("/usr/bin/dirname")) ? "/usr/bin/dirname" : "/bin/dirname";
    Path wrapper = Files.writeString(bin.resolve("dirname"), "#!/bin/sh\nexec " + dirname + " \"$@\"\n");
    assertTrue(wrapper.toFile().setExecutable(true));
    String bash = Files.isExecutable(Path.of("/bin/bash")) ? "/bin/bash" : "/usr/bin/bash";
    Proc r = run(Map.of("PATH", bin.toString(), "JAVA_HOME", ""), List.of(bash, launcher.toString(), "--version"));
    assertEquals(2, r.rc(), r::all);
    assertTrue(r.err().startsWith("weft: 'java' not found on PATH"), r::all);
  }

  @Test
  void oldJavaIsReported() throws Exception {
    Path jdk = Files.createDirectories(dir.resolve("old-jdk/bin"));
    Path java = Files.writeString(jdk.resolve("java"), "#!/bin/sh\necho 'should not run' >&2\nexit 3\n");
    assertTrue(java.toFile().setExecutable(true));
    Files.writeString(jdk.getParent().resolve("release"), "JAVA_VERSION=\"11.0.2\"\n");
    Proc r = run(Map.of("JAVA_HOME", jdk.getParent().toString()), List.of(launcher.toString(), "--version"));
    assertEquals(2, r.rc(), r::all);
    assertEquals("weft: Java 17 or newer is needed, but " + java + " is version '11.0.2'\n", r.err());
  }

  /** The environment the launcher gives the JVM, through a JDK whose java records it and runs the real one. */
  private Map<String, String> jvmEnvironment(Map<String, String> env, String... args) throws Exception {
    Path jdk = Files.createDirectories(dir.resolve("env-jdk-" + System.nanoTime() + "/bin"));
    Path record = jdk.resolveSibling("environment.txt");
    Path realJava = Path.of(System.getProperty("java.home"), "bin", "java");
    Path java = Files.writeString(jdk.resolve("java"),
        "#!/bin/sh\nenv > '" + record + "'\nexec '" + realJava + "' \"$@\"\n");
    assertTrue(java.toFile().setExecutable(true));
    Files.writeString(jdk.getParent().resolve("release"), "JAVA_VERSION=\"17.0.15\"\n");
    java.util.HashMap<String, String> e = new java.util.HashMap<>(env);
    e.put("JAVA_HOME", jdk.getParent().toString());
    List<String> cmd = new ArrayList<>(List.of(launcher.toString()));
    cmd.addAll(List.of(args));
    Proc p = run(e, cmd);
    assertEquals(0, p.rc(), p::all);
    Map<String, String> seen = new java.util.HashMap<>();
    for (String line : Files.readAllLines(record)) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        seen.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    return seen;
  }

  /**
   * weft convert keeps freed malloc blocks of up to 32 MiB for reuse (Arrow's batch buffers land on
   * pages already faulted in), unless the user set those tunables; other commands keep glibc's defaults.
   */
  @Test
  void convertKeepsFreedMallocBlocksForReuse() throws Exception {
    Path src = dev.weft.cli.convert.TestFiles.data("parquet-testing/data/alltypes_tiny_pages.parquet");
    String out = dir.resolve("malloc.weft").toString();
    Map<String, String> env = jvmEnvironment(Map.of(), "convert", src.toString(), "-o", out, "--overwrite");
    assertEquals("33554432", env.get("MALLOC_MMAP_THRESHOLD_"));
    assertEquals("1073741824", env.get("MALLOC_TRIM_THRESHOLD_"));
    env = jvmEnvironment(Map.of("MALLOC_TRIM_THRESHOLD_", "131072"), "convert", src.toString(), "-o", out,
        "--overwrite");
    assertEquals("131072", env.get("MALLOC_TRIM_THRESHOLD_"), "the user's setting wins");
    env = jvmEnvironment(Map.of(), "inspect", out);
    assertFalse(env.containsKey("MALLOC_MMAP_THRESHOLD_"), "only convert");
  }

  /** A zstd conversion never loads lz4-java (which would extract its native library into the temp directory). */
  @Test
  void zstdConversionsLeaveLz4Unloaded() throws Exception {
    Path src = dev.weft.cli.convert.TestFiles.data("parquet-testing/data/alltypes_tiny_pages.parquet");
    Path log = dir.resolve("classes.txt");
    Proc p = run(Map.of("WEFT_JAVA_OPTS", "-Xlog:class+load=info:file=" + log), List.of(launcher.toString(),
        "convert", src.toString(), "-o", dir.resolve("zstd.weft").toString(), "--overwrite"));
    assertEquals(0, p.rc(), p::all);
    String loaded = Files.readString(log);
    assertTrue(loaded.contains("dev.weft.format.BlockCodecs "), "the codecs were used");
    assertFalse(loaded.contains("net.jpountz.lz4"), "lz4-java loaded by a zstd conversion");
  }
}

package dev.weft.loader;

import dev.weft.format.Codec;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4's "server memory bounded (its RSS does not grow with the dataset size)": a
 * {@link ServeMain} process (its own JVM, {@code -Xmx1g}, {@code --decoded-cache 64M}) serves the
 * synthetic recsys table at 200,000 rows (one file) and at 2,000,000 rows (ten copies of it), each
 * time {@value #BATCHES} globally shuffled 256-row batches of all columns to a
 * {@link WeftIpcClient}; then its memory is read from {@code /proc/PID/status}: VmRSS, RssAnon (the
 * process's own memory: heap, Arrow buffers, caches) and RssFile (mapped file pages: page cache,
 * shared and reclaimable). Prints, asserts nothing. Off by default: {@code mvn -B -o -pl
 * loader-server -am test -Dtest=ServerMemoryBenchmark -Dweft.bench=true
 * -Dsurefire.failIfNoSpecifiedTests=false} (a few minutes: it writes the table first).
 */
@EnabledIfSystemProperty(named = "weft.bench", matches = "true")
class ServerMemoryBenchmark {
  private static final int BATCHES = 1500;

  @TempDir Path dir;

  @Test
  void run() throws Exception {
    Path one = dir.resolve("small");
    Path ten = dir.resolve("large");
    Files.createDirectories(one);
    Files.createDirectories(ten);
    try (BufferAllocator alloc = new RootAllocator()) {
      RecsysTakeBenchmark.writeWeft(one.resolve("part-0.weft"), 200_000, Codec.ZSTD, alloc);
      for (int i = 0; i < 10; i++) {
        Files.copy(one.resolve("part-0.weft"), ten.resolve("part-" + i + ".weft"));
      }
      for (String cache : System.getProperty("weft.bench.caches", "64M,0").split(",")) {
        for (Path d : List.of(one, ten, one, ten)) {
          Map<String, Long> m = serve(d, cache, alloc);
          System.out.printf("--decoded-cache %-4s %,10d rows: VmRSS %5d MB, RssAnon %5d MB, RssFile %5d MB, VmHWM %5d MB%n",
              cache, m.get("rows"), m.get("VmRSS") >> 10, m.get("RssAnon") >> 10, m.get("RssFile") >> 10,
              m.get("VmHWM") >> 10);
        }
      }
    }
  }

  /** Starts a server on {@code d}, reads {@link #BATCHES} batches, returns its /proc status (KiB). */
  private Map<String, Long> serve(Path d, String cache, BufferAllocator alloc) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "--add-opens=java.base/java.nio=ALL-UNNAMED",
        "-Xmx" + System.getProperty("weft.bench.serverXmx", "1g"), "-XX:NativeMemoryTracking=summary",
        "-cp", System.getProperty("java.class.path"), ServeMain.class.getName(), d.toString(),
        "--shm-dir", dir.toString(), "--slots", "4", "--ipc-port", "0", "--decoded-cache", cache,
        "--status-interval", "0"));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      out.readLine(); // the Unix socket
      String uri = out.readLine();
      long rows;
      try (WeftIpcClient c = WeftIpcClient.connect(uri, null, alloc);
          WeftIpcClient.Stream s = c.openStream(StreamRequest.builder().batchSize(256)
              .shuffle(ShuffleOptions.global(1)).build())) {
        rows = c.numRows();
        for (int i = 0; i < BATCHES; i++) {
          try (WeftBatch b = s.next()) {
            if (b == null) {
              break;
            }
          }
        }
      }
      Map<String, Long> m = new TreeMap<>();
      for (String line : Files.readAllLines(Path.of("/proc/" + p.pid() + "/status"))) {
        String[] f = line.split(":\\s+");
        if (f.length == 2 && f[1].endsWith(" kB")) {
          m.put(f[0], Long.parseLong(f[1].substring(0, f[1].length() - 3).trim()));
        }
      }
      m.put("rows", rows);
      // where the process's own memory is: the JVM's native memory tracking, committed KB per area
      Process j = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
          Long.toString(p.pid()), "VM.native_memory", "summary").redirectErrorStream(true).start();
      String nmt = new String(j.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      j.waitFor();
      StringBuilder areas = new StringBuilder();
      Matcher mm = Pattern.compile("-\\s+(\\w[\\w ]*?) \\(reserved=\\d+KB, committed=(\\d+)KB\\)")
          .matcher(nmt);
      while (mm.find()) {
        long mb = Long.parseLong(mm.group(2)) >> 10;
        if (mb >= 8) {
          areas.append(mm.group(1).trim()).append(' ').append(mb).append(" MB, ");
        }
      }
      System.out.println("    JVM committed: " + areas);
      return m;
    } finally {
      p.destroy(); // SIGTERM: a clean shutdown removes its ring
      p.waitFor();
    }
  }
}

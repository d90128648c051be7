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
 * {@link ServeMain} process (its own JVM with the launchers' memory flags, see
 * {@link #serverJvmFlags}: {@code -Xmx} = the two caches + 768 MiB, G1 giving memory back, capped
 * direct memory) serves the synthetic recsys table (zstd) at three sizes: {@code 500,000} rows (one
 * file), 2,000,000 (4 copies) and 4,000,000 (8 copies, ~1.4 GB, several times all caches
 * together), each time {@value #BATCHES} globally shuffled 256-row batches of all columns to a
 * {@link WeftIpcClient}, with {@code --decoded-cache 64M --block-cache 64M} (the fixed-width
 * columns do not fit: every batch is read with take from all over the files), in both read modes:
 * positional reads (the default) and {@code --mmap true}. Then its memory is read from
 * {@code /proc/PID/status}: VmHWM (peak RSS), VmRSS, RssAnon (the process's own memory: heap,
 * Arrow buffers, caches), RssFile (mapped file pages) and RssShmem (the ring), plus the JVM's native
 * memory tracking. Prints, asserts nothing. Off by default: {@code mvn -B -o -pl loader-server -am
 * test -Dtest=ServerMemoryBenchmark -Dweft.bench=true -Dsurefire.failIfNoSpecifiedTests=false}
 * ({@code -Dweft.bench.rows=500000}: rows of the one file; {@code -Dweft.bench.copies=1,4,8};
 * {@code -Dweft.bench.modes=false,true}: the --mmap values; {@code -Dweft.bench.dir=DIR} keeps the
 * files between runs; {@code -Dweft.bench.batches=N}, default 300). 5-8 minutes on the busy 2-core
 * VM (the take path is slow there), plus writing the file once (~15 s) and its copies.
 */
@EnabledIfSystemProperty(named = "weft.bench", matches = "true")
class ServerMemoryBenchmark {
  private static final int BATCHES = Integer.getInteger("weft.bench.batches", 300);
  private static final String CACHE = System.getProperty("weft.bench.cache", "64M");

  @TempDir Path tmp;

  /** The memory flags {@code bin/weft serve} and the Python shim give the server's JVM (caches in MiB). */
  static List<String> serverJvmFlags(long decodedMib, long blockMib) {
    return List.of("-Xmx" + System.getProperty("weft.bench.serverXmx", (decodedMib + blockMib + 768) + "m"),
        "-XX:+UseG1GC", "-XX:G1PeriodicGCInterval=30000", "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=30",
        "-XX:MaxDirectMemorySize=1g", "-Djdk.nio.maxCachedBufferSize=1048576");
  }

  @Test
  void run() throws Exception {
    String keep = System.getProperty("weft.bench.dir");
    Path dir = keep != null ? Files.createDirectories(Path.of(keep)) : tmp;
    long rows = Long.getLong("weft.bench.rows", 500_000);
    List<Integer> copies = new ArrayList<>();
    for (String c : System.getProperty("weft.bench.copies", "1,4,8").split(",")) {
      copies.add(Integer.parseInt(c.trim()));
    }
    int most = copies.stream().mapToInt(Integer::intValue).max().orElse(1);
    try (BufferAllocator alloc = new RootAllocator()) {
      Path first = dir.resolve("recsys-" + rows + "-zstd.weft");
      RecsysTakeBenchmark.writeWeft(first, rows, Codec.ZSTD, alloc);
      // distinct files (own inodes and page-cache pages), the same bytes
      List<Path> parts = new ArrayList<>(List.of(first));
      for (int i = 1; i < most; i++) {
        Path p = dir.resolve("recsys-" + rows + "-zstd-copy" + i + ".weft");
        if (!Files.exists(p)) {
          Files.copy(first, p);
        }
        parts.add(p);
      }
      long mib = ServeMain.parseSize("cache", CACHE) >> 20;
      System.out.printf("recsys %,d rows per file (%d MB), --decoded-cache %s --block-cache %s, server JVM %s, "
              + "%d batches of 256 rows per run%n", rows, Files.size(first) >> 20, CACHE, CACHE,
          serverJvmFlags(mib, mib), BATCHES);
      for (String mmap : System.getProperty("weft.bench.modes", "false,true").split(",")) {
        for (int n : copies) {
          List<Path> ds = new ArrayList<>();
          for (int i = 0; i < n; i++) {
            Path d = dir.resolve("set-" + n);
            Files.createDirectories(d);
            Path link = d.resolve("part-" + i + ".weft");
            if (!Files.exists(link)) {
              Files.createLink(link, parts.get(i)); // the same inode as parts[i]: no extra disk
            }
            ds.add(link);
          }
          Map<String, Long> m = serve(ds, dir, mmap, mib, alloc);
          System.out.printf("--mmap %-5s %,10d rows (%5d MB): peak RSS (VmHWM) %5d MB, VmRSS %5d MB = RssAnon %5d"
                  + " + RssFile %5d + RssShmem %4d MB; %.1f s%n",
              mmap, m.get("rows"), (Files.size(first) * n) >> 20, m.get("VmHWM") >> 10, m.get("VmRSS") >> 10,
              m.get("RssAnon") >> 10, m.get("RssFile") >> 10, m.get("RssShmem") >> 10, m.get("millis") / 1e3);
        }
      }
    } finally {
      if (keep == null) {
        try (var s = Files.walk(dir)) {
          s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }

  /** Starts a server on {@code files}, reads {@link #BATCHES} batches, returns its /proc status (KiB). */
  private Map<String, Long> serve(List<Path> files, Path dir, String mmap, long cacheMib, BufferAllocator alloc)
      throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "--add-opens=java.base/java.nio=ALL-UNNAMED"));
    cmd.addAll(serverJvmFlags(cacheMib, cacheMib));
    cmd.addAll(List.of("-XX:NativeMemoryTracking=summary", "-cp", System.getProperty("java.class.path"),
        ServeMain.class.getName()));
    files.forEach(f -> cmd.add(f.toString()));
    cmd.addAll(List.of("--shm-dir", dir.toString(), "--slots", "4", "--ipc-port", "0", "--decoded-cache", CACHE,
        "--block-cache", CACHE, "--mmap", mmap, "--status-interval", "0"));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      out.readLine(); // the Unix socket
      String uri = out.readLine();
      long rows;
      long t0 = System.nanoTime();
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
      long millis = (System.nanoTime() - t0) / 1_000_000;
      Map<String, Long> m = new TreeMap<>();
      for (String line : Files.readAllLines(Path.of("/proc/" + p.pid() + "/status"))) {
        String[] f = line.split(":\\s+");
        if (f.length == 2 && f[1].endsWith(" kB")) {
          m.put(f[0], Long.parseLong(f[1].substring(0, f[1].length() - 3).trim()));
        }
      }
      m.put("rows", rows);
      m.put("millis", millis);
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

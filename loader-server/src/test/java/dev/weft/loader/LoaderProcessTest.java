package dev.weft.loader;

import static dev.weft.loader.LoaderTestSupport.await;
import static dev.weft.loader.LoaderTestSupport.readAll;
import static dev.weft.loader.LoaderTestSupport.smallRing;
import static dev.weft.loader.LoaderTestSupport.writeIds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Separate processes: a client killed with SIGKILL mid-epoch, {@link ServeMain} stopped with
 * SIGTERM, and a server killed with SIGKILL whose files the next start removes.
 */
class LoaderProcessTest {
  @TempDir Path dir;
  private BufferAllocator alloc;
  private final List<Process> processes = new ArrayList<>();
  private final List<Path> outputs = new ArrayList<>();

  @BeforeEach
  void open() throws Exception {
    alloc = new RootAllocator();
    writeIds(dir.resolve("d/a.weft"), 0, 1000, alloc);
  }

  @AfterEach
  void close() {
    for (Process p : processes) {
      p.destroyForcibly();
    }
    alloc.close();
  }

  private Process java(String mainClass, String... args) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "--add-opens=java.base/java.nio=ALL-UNNAMED", "-Xmx256m",
        "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), mainClass));
    cmd.addAll(List.of(args));
    Path out = dir.resolve("out-" + processes.size() + ".txt");
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD)
        .redirectOutput(out.toFile()).start();
    processes.add(p);
    outputs.add(out);
    return p;
  }

  /** Line {@code n} (from 0) of a process's standard output, waiting for it up to 20 s. */
  private String line(Process p, int n, String what) throws Exception {
    Path out = outputs.get(processes.indexOf(p));
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (System.nanoTime() < deadline) {
      List<String> lines = Files.readAllLines(out);
      if (lines.size() > n && (lines.size() > n + 1 || !p.isAlive()
          || Files.readString(out).endsWith("\n"))) {
        return lines.get(n);
      }
      if (!p.isAlive() && lines.size() <= n) {
        break;
      }
      Thread.sleep(10);
    }
    throw new AssertionError("the process did not print " + what + "; output: " + Files.readString(out));
  }

  @Test
  void aClientProcessKilledMidEpochGetsItsSlotsReclaimed() throws Exception {
    try (WeftDataset ds = WeftDataset.open(List.of(dir.resolve("d")), alloc);
        LoaderServer server = LoaderServer.start(ds, smallRing().build())) {
      Process client = java(TestClientMain.class.getName(), server.socketPath().toString(), "3");
      assertEquals("holding 3", line(client, 0, "holding 3"));
      assertEquals(1, server.stats().clients());
      assertTrue(server.stats().slotsInUse() >= 3, "slots held: " + server.stats());
      client.destroyForcibly(); // SIGKILL
      assertTrue(client.waitFor(10, TimeUnit.SECONDS));
      assertEquals(137, client.exitValue());
      await("the dead client's slots reclaimed", 5000,
          () -> server.stats().clients() == 0 && server.stats().slotsInUse() == 0 && server.stats().slotsReserved() == 0);
      try (WeftLoaderClient c = WeftLoaderClient.connect(server.socketPath(), alloc)) {
        assertEquals(40, readAll(c, StreamRequest.builder().batchSize(25).build()).size());
      }
    }
  }

  @Test
  void serveMainPrintsItsSocketServesReportsAndCleansUpOnSigterm() throws Exception {
    Path socket = dir.resolve("s.sock");
    Process p = java(ServeMain.class.getName(), dir.resolve("d").toString(), "--socket", socket.toString(),
        "--slots", "8", "--slot-size", "64K", "--status-interval", "0.2", "--threads", "1");
    assertEquals(socket.toString(), line(p, 0, "the socket path"));
    Path segment;
    try (WeftLoaderClient c = WeftLoaderClient.connect(socket, alloc)) {
      segment = c.segmentPath();
      assertTrue(Files.exists(segment));
      assertEquals(40, readAll(c, StreamRequest.builder().batchSize(25).build()).size());
    }
    String status = line(p, 1, "a status line");
    assertTrue(status.startsWith("status: ") && status.contains("batches/s") && status.contains("/8 slots in use"),
        status);
    p.destroy(); // SIGTERM
    assertTrue(p.waitFor(20, TimeUnit.SECONDS));
    List<String> lines = Files.readAllLines(outputs.get(processes.indexOf(p)));
    assertEquals("stopped", lines.get(lines.size() - 1));
    assertEquals(143, p.exitValue());
    assertFalse(Files.exists(segment), "segment removed");
    assertFalse(Files.exists(socket), "socket removed");
  }

  @Test
  void aCrashedServersSegmentAndSocketAreRemovedByTheNextStart() throws Exception {
    Process p = java(ServeMain.class.getName(), dir.resolve("d").toString(), "--slots", "8", "--slot-size", "64K",
        "--status-interval", "0", "--threads", "1");
    Path socket = Path.of(line(p, 0, "the socket path"));
    Path segment;
    try (WeftLoaderClient c = WeftLoaderClient.connect(socket, alloc)) {
      segment = c.segmentPath();
    }
    p.destroyForcibly(); // SIGKILL: no shutdown hook runs
    assertTrue(p.waitFor(10, TimeUnit.SECONDS));
    assertTrue(Files.exists(segment), "a crashed server leaves its segment");
    assertTrue(Files.exists(socket), "and its socket");
    try (WeftDataset ds = WeftDataset.open(List.of(dir.resolve("d")), alloc);
        LoaderServer server = LoaderServer.start(ds, smallRing().build())) {
      assertFalse(Files.exists(segment), "stale segment removed on start");
      assertFalse(Files.exists(socket), "stale socket removed on start");
      assertTrue(server.removedStale().contains(segment), server.removedStale().toString());
      assertTrue(Files.exists(server.segmentPath()));
    }
  }
}

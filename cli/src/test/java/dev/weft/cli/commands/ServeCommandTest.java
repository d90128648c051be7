package dev.weft.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.cli.CliRun;
import dev.weft.cli.Fixtures;
import dev.weft.loader.StreamRequest;
import dev.weft.loader.WeftBatch;
import dev.weft.loader.WeftFlightClient;
import dev.weft.loader.WeftIpcClient;
import dev.weft.loader.WeftLoaderClient;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code weft serve}: refused configurations in-process; a real server through bin/weft. */
class ServeCommandTest {
  @TempDir Path dir;

  @Test
  void nonLoopbackHostWithoutTokenExits2() throws Exception {
    Path file = Fixtures.knownFile(dir);
    CliRun.Result r = CliRun.run("serve", file.toString(), "--host", "0.0.0.0", "--port", "0", "--shm-dir",
        dir.toString());
    assertEquals(2, r.rc(), r.all());
    assertTrue(r.err().contains("without a token"), r.all());
    assertEquals("", r.out(), r.all());
  }

  @Test
  void badArgumentsExit2() throws Exception {
    Path file = Fixtures.knownFile(dir);
    assertEquals(2, CliRun.run("serve").rc());
    assertEquals(2, CliRun.run("serve", file.toString(), "--port", "70000").rc());
    assertEquals(2, CliRun.run("serve", file.toString(), "--slot-size", "lots").rc());
    CliRun.Result badCache = CliRun.run("serve", file.toString(), "--decoded-cache", "lots");
    assertEquals(2, badCache.rc(), badCache.all());
    assertTrue(badCache.err().contains("--decoded-cache"), badCache.all());
    assertEquals(2, CliRun.run("serve", file.toString(), "--decoded-cache", "-1").rc());
    assertEquals(2, CliRun.run("serve", file.toString(), "--preload", "maybe").rc());
    CliRun.Result missing = CliRun.run("serve", dir.resolve("nope.weft").toString(), "--port", "0", "--shm-dir",
        dir.toString());
    assertEquals(2, missing.rc(), missing.all()); // bad input
    assertTrue(missing.err().contains("nope.weft"), missing.all());
  }

  @Test
  void servesBothTransportsWithATokenAndStopsCleanlyOnSigterm() throws Exception {
    Path file = Fixtures.knownFile(dir);
    Path shm = Files.createDirectories(dir.resolve("shm"));
    Path root = Path.of("").toAbsolutePath();
    while (root != null && !Files.isRegularFile(root.resolve("bin/weft"))) {
      root = root.getParent();
    }
    assertTrue(root != null, "bin/weft not found");
    ProcessBuilder pb = new ProcessBuilder(root.resolve("bin/weft").toString(), "serve", file.toString(), "--port",
        "0", "--shm-dir", shm.toString(), "--token", "t0ken", "--status-interval", "0.2", "--slots", "8",
        "--slot-size", "64K", "--decoded-cache", "16M", "--preload", "true");
    String cp = System.getProperty("surefire.test.class.path");
    pb.environment().put("WEFT_CLASSPATH", cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path"));
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.redirectError(dir.resolve("err.txt").toFile());
    Process p = pb.start();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        BufferAllocator alloc = new RootAllocator()) {
      String first = out.readLine();
      assertTrue(first != null, "no address line; stderr: " + Files.readString(dir.resolve("err.txt")));
      String[] addresses = first.split(" ");
      assertEquals(3, addresses.length, first);
      assertTrue(addresses[0].matches("grpc\\+tcp://127\\.0\\.0\\.1:\\d+"), first);
      assertTrue(addresses[1].startsWith("unix:/"), first);
      assertTrue(addresses[2].matches("ipc\\+tcp://127\\.0\\.0\\.1:\\d+"), first);
      Path socket = Path.of(addresses[1].substring("unix:".length()));

      WeftLoaderClient.ServerError refused = assertThrows(WeftLoaderClient.ServerError.class,
          () -> WeftFlightClient.connect(addresses[0], null, alloc).close());
      assertEquals("UNAUTHENTICATED", refused.code());
      int rows = 0;
      try (WeftFlightClient c = WeftFlightClient.connect(addresses[0], "t0ken", alloc);
          WeftFlightClient.Stream s = c.openStream(StreamRequest.builder().batchSize(2).columns(List.of("id", "name"))
              .build())) {
        for (WeftBatch next = s.next(); next != null; next = s.next()) {
          try (WeftBatch b = next) {
            rows += b.rowCount();
          }
        }
      }
      assertEquals(4, rows);
      // the Arrow IPC socket transport: the same token rule, the same rows
      WeftLoaderClient.ServerError refusedIpc = assertThrows(WeftLoaderClient.ServerError.class,
          () -> WeftIpcClient.connect(addresses[2], null, alloc).close());
      assertEquals("UNAUTHENTICATED", refusedIpc.code());
      try (WeftIpcClient c = WeftIpcClient.connect(addresses[2], "t0ken", alloc);
          WeftIpcClient.Stream s = c.openStream(StreamRequest.builder().batchSize(2).build())) {
        int n = 0;
        for (WeftBatch next = s.next(); next != null; next = s.next()) {
          try (WeftBatch b = next) {
            n += b.rowCount();
          }
        }
        assertEquals(4, n);
      }
      try (WeftLoaderClient c = WeftLoaderClient.connect(socket, "t0ken", alloc)) {
        assertEquals(4, c.numRows());
      }
      String status = out.readLine();
      assertTrue(status != null && status.startsWith("status: ") && status.contains("samples/s"), status);
      try (Stream<Path> files = Files.list(shm)) {
        assertEquals(1, files.count(), "the ring");
      }

      // SIGTERM (bin/weft execs java); Process.destroy() would also close our end of stdout
      assertEquals(0, new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor());
      assertTrue(p.waitFor(30, TimeUnit.SECONDS), "stops on SIGTERM");
      List<String> rest = new ArrayList<>();
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        rest.add(line);
      }
      assertEquals("stopped", rest.get(rest.size() - 1), rest.toString());
      try (Stream<Path> files = Files.list(shm)) {
        assertEquals(0, files.count(), "the ring is removed");
      }
      assertFalse(Files.exists(socket), "the socket is removed");
    } finally {
      p.destroyForcibly();
    }
  }
}

package dev.weft.loader;

import static dev.weft.loader.LoaderTestSupport.await;
import static dev.weft.loader.LoaderTestSupport.checkIdRows;
import static dev.weft.loader.LoaderTestSupport.openFds;
import static dev.weft.loader.LoaderTestSupport.smallRing;
import static dev.weft.loader.LoaderTestSupport.writeIds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Arrow IPC socket transport end to end: real files, real TCP sockets on 127.0.0.1. */
class IpcTransportTest {
  @TempDir Path dir;
  private BufferAllocator alloc;

  @BeforeEach
  void open() {
    alloc = new RootAllocator();
  }

  @AfterEach
  void closeAllocator() {
    alloc.close(); // every test is a leak test
  }

  record Got(long epoch, long batchIndex, long firstPosition, long resumePosition, int rows, String tsv) {}

  private static Got got(WeftBatch b) {
    return new Got(b.tag().epoch(), b.tag().batchIndex(), b.tag().firstPosition(), b.resumePosition(), b.rowCount(),
        b.root().contentToTSVString());
  }

  private static List<Got> readIpc(WeftIpcClient c, StreamRequest r) throws Exception {
    List<Got> out = new ArrayList<>();
    try (WeftIpcClient.Stream s = c.openStream(r)) {
      for (WeftBatch next = s.next(); next != null; next = s.next()) {
        try (WeftBatch b = next) {
          out.add(got(b));
        }
      }
      assertEquals(s.numBatches(), out.size(), "batches of the stream");
    }
    return out;
  }

  private static List<Got> readFlight(WeftFlightClient c, StreamRequest r) throws Exception {
    List<Got> out = new ArrayList<>();
    try (WeftFlightClient.Stream s = c.openStream(r)) {
      for (WeftBatch next = s.next(); next != null; next = s.next()) {
        try (WeftBatch b = next) {
          out.add(got(b));
        }
      }
    }
    return out;
  }

  private static List<Got> readShm(WeftLoaderClient c, StreamRequest r) throws Exception {
    List<Got> out = new ArrayList<>();
    try (WeftLoaderClient.Stream s = c.openStream(r)) {
      for (WeftBatch next = s.next(); next != null; next = s.next()) {
        try (WeftBatch b = next) {
          out.add(got(b));
        }
      }
    }
    return out;
  }

  @Test
  void servesTheBatchesAndTagsOfShmAndFlightIncludingResume() throws Exception {
    try (WeftDataset ds = LoaderTestSupport.idDataset(dir, alloc);
        LoaderServer shm = LoaderServer.start(ds, smallRing().shmDir(dir).build());
        FlightLoaderService flight = FlightLoaderService.start(ds, FlightLoaderService.Options.loopback(),
            shm.executor());
        IpcLoaderService ipc = IpcLoaderService.start(ds, FlightLoaderService.Options.loopback(), shm.executor());
        WeftLoaderClient sc = WeftLoaderClient.connect(shm.socketPath(), alloc);
        WeftFlightClient fc = WeftFlightClient.connect(flight.uri(), null, alloc);
        WeftIpcClient ic = WeftIpcClient.connect(ipc.uri(), null, alloc)) {
      assertTrue(ipc.uri().matches("ipc\\+tcp://127\\.0\\.0\\.1:\\d+"), ipc.uri());
      assertEquals(ds.fingerprint(), ic.fingerprint());
      assertEquals(1000, ic.numRows());
      assertEquals(ds.schema().getFields(), ic.schema().getFields());
      List<StreamRequest> requests = List.of(
          StreamRequest.builder().batchSize(25).shuffle(ShuffleOptions.global(7)).epoch(1).build(),
          StreamRequest.builder().batchSize(32).shuffle(ShuffleOptions.block(-3, 16, 4)).epoch(2).rank(1)
              .worldSize(3).worker(1).numWorkers(2).columns(List.of("s", "id")).build(),
          // resume: a start batch, and a start position with another world size
          StreamRequest.builder().batchSize(64).shuffle(ShuffleOptions.none()).rank(2).worldSize(3)
              .tail(ShardPlan.Tail.PAD).fromBatch(2).build(),
          StreamRequest.builder().batchSize(10).shuffle(ShuffleOptions.global(Long.MIN_VALUE)).epoch(5)
              .worldSize(2).rank(1).startPosition(333).expectedFingerprint(ds.fingerprint()).build());
      for (StreamRequest r : requests) {
        List<Got> a = readShm(sc, r);
        List<Got> b = readFlight(fc, r);
        List<Got> c = readIpc(ic, r);
        assertTrue(a.size() > 0, r.toString());
        assertEquals(a, b, r.toString());
        assertEquals(a, c, r.toString());
      }
      // an empty stream: schema, no batches, the end marker
      assertEquals(0, readIpc(ic, StreamRequest.builder().batchSize(1000).worldSize(2).build()).size());
      // a stream of another dataset is refused
      WeftLoaderClient.ServerError e = assertThrows(WeftLoaderClient.ServerError.class, () -> ic.openStream(
          StreamRequest.builder().expectedFingerprint(DatasetFingerprint.ofHex("00".repeat(32))).build()));
      assertEquals("INVALID_ARGUMENT", e.code());
      assertTrue(ipc.stats().batches() > 0);
    }
  }

  @Test
  void tokenIsRequiredAndNonLoopbackNeedsOne() throws Exception {
    try (WeftDataset ds = LoaderTestSupport.idDataset(dir, alloc);
        IpcLoaderService ipc = IpcLoaderService.start(ds, new FlightLoaderService.Options("127.0.0.1", 0, "s3cret", 4),
            null)) {
      WeftLoaderClient.ServerError none = assertThrows(WeftLoaderClient.ServerError.class,
          () -> WeftIpcClient.connect(ipc.uri(), null, alloc));
      assertEquals("UNAUTHENTICATED", none.code());
      WeftLoaderClient.ServerError wrong = assertThrows(WeftLoaderClient.ServerError.class,
          () -> WeftIpcClient.connect(ipc.uri(), "s3cre7", alloc));
      assertEquals("UNAUTHENTICATED", wrong.code());
      // a stream request with a wrong token: refused before any data
      assertTrue(exchange(ipc.port(), ("{\"v\":1,\"token\":\"x\",\"ticket\":{\"v\":1}}\n")
          .getBytes(StandardCharsets.UTF_8)).startsWith("ERROR UNAUTHENTICATED "));
      try (WeftIpcClient c = WeftIpcClient.connect(ipc.uri(), "s3cret", alloc)) {
        assertEquals(40, readIpc(c, StreamRequest.builder().batchSize(25).build()).size());
      }
    }
    try (WeftDataset ds = LoaderTestSupport.idDataset(dir.resolve("b"), alloc)) {
      assertThrows(FlightLoaderService.InsecureBindException.class, () -> IpcLoaderService.start(ds,
          new FlightLoaderService.Options("0.0.0.0", 0, null, 4), null));
    }
  }

  /** Sends {@code request}, returns everything the server sent until it closed the connection. */
  private static String exchange(int port, byte[] request) throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(30_000); // the server must close: a hang fails the test
      OutputStream out = s.getOutputStream();
      try {
        out.write(request);
        out.flush();
      } catch (java.net.SocketException e) {
        // the server closed early (a too-long line): read what it said
      }
      InputStream in = s.getInputStream();
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      try {
        for (int k = in.read(buf); k >= 0; k = in.read(buf)) {
          got.write(buf, 0, k);
        }
      } catch (java.net.SocketException e) {
        // reset after the error line: what came before is there
      }
      return got.toString(StandardCharsets.ISO_8859_1);
    }
  }

  @Test
  void malformedAndOversizedRequestsGetAnErrorAndTheConnectionClosed() throws Exception {
    try (WeftDataset ds = LoaderTestSupport.idDataset(dir, alloc);
        IpcLoaderService ipc = IpcLoaderService.start(ds, FlightLoaderService.Options.loopback(), null)) {
      String[][] cases = {
          {"not json\n", "ERROR INVALID_ARGUMENT request is not valid JSON"},
          {"[1, 2]\n", "ERROR INVALID_ARGUMENT request must be a JSON object"},
          {"{\"v\":2}\n", "ERROR INVALID_ARGUMENT request: \"v\" must be 1"},
          {"{\"v\":1,\"path\":\"/etc/passwd\"}\n", "ERROR INVALID_ARGUMENT request: unknown key \"path\""},
          {"{\"v\":1,\"op\":\"stream\"}\n", "ERROR INVALID_ARGUMENT request: \"ticket\""},
          {"{\"v\":1,\"ticket\":{\"v\":1,\"batch_size\":0}}\n", "ERROR INVALID_ARGUMENT ticket: \"batch_size\" must be in"},
          {"{\"v\":1,\"ticket\":{\"v\":1,\"columns\":[\"nope\"]}}\n", "ERROR INVALID_ARGUMENT ticket:"},
          {"{\"v\":1,\"ticket\":{\"v\":1,\"dataset\":\"other\"}}\n", "ERROR NOT_FOUND "},
          {"{\"v\":1,\"op\":\"describe\",\"ticket\":{\"v\":1}}\n", "ERROR INVALID_ARGUMENT request: \"describe\""},
      };
      for (String[] c : cases) {
        String reply = exchange(ipc.port(), c[0].getBytes(StandardCharsets.UTF_8));
        assertTrue(reply.startsWith(c[1]), c[0] + " -> " + reply);
        assertEquals(1, reply.split("\n", -1).length - 1, "one line, then closed: " + reply);
      }
      // a line longer than the limit: refused once the limit is reached, without reading the rest
      byte[] huge = new byte[IpcRequest.MAX_LINE_BYTES + 100];
      java.util.Arrays.fill(huge, (byte) 'x');
      String reply = exchange(ipc.port(), huge);
      assertTrue(reply.startsWith("ERROR INVALID_ARGUMENT the request line is longer than"), reply);
      // a client that connects and sends nothing, then goes away; one that sends half a line
      try (Socket s = new Socket("127.0.0.1", ipc.port())) {
        s.getOutputStream().write("{\"v\":1,".getBytes(StandardCharsets.UTF_8));
      }
      // the server still serves
      try (WeftIpcClient c = WeftIpcClient.connect(ipc.uri(), null, alloc)) {
        assertEquals(40, readIpc(c, StreamRequest.builder().batchSize(25).build()).size());
      }
      await("connection threads to end", 10_000, () -> ipc.liveThreads() == 0);
      assertTrue(ipc.stats().errors() >= cases.length + 1);
    }
  }

  @Test
  void aClientThatSendsNoRequestLineIsDisconnectedAfterTheTimeout() throws Exception {
    try (WeftDataset ds = LoaderTestSupport.idDataset(dir, alloc);
        IpcLoaderService ipc = IpcLoaderService.start(ds, FlightLoaderService.Options.loopback(), null, 300)) {
      for (String partial : new String[] {"", "{\"v\":1,"}) {
        try (Socket s = new Socket("127.0.0.1", ipc.port())) {
          s.setSoTimeout(30_000);
          s.getOutputStream().write(partial.getBytes(StandardCharsets.UTF_8));
          assertEquals(-1, s.getInputStream().read(), "the server closes a silent connection");
        }
      }
      await("connection threads to end", 10_000, () -> ipc.liveThreads() == 0);
      try (WeftIpcClient c = WeftIpcClient.connect(ipc.uri(), null, alloc)) {
        assertEquals(40, readIpc(c, StreamRequest.builder().batchSize(25).build()).size());
      }
    }
  }

  @Test
  void clientsThatDisconnectMidStreamLeakNothing() throws Exception {
    Path d = dir.resolve("big");
    writeIds(d.resolve("a.weft"), 0, 200_000, alloc);
    try (WeftDataset ds = WeftDataset.open(List.of(d), alloc);
        IpcLoaderService ipc = IpcLoaderService.start(ds, FlightLoaderService.Options.loopback(), null);
        WeftIpcClient c = WeftIpcClient.connect(ipc.uri(), null, alloc)) {
      // warm up (class loading, the pool's threads), then count
      cycle(c, 0);
      await("connection threads to end", 10_000, () -> ipc.liveThreads() == 0);
      long fds = openFds();
      long threads = Thread.activeCount();
      for (int i = 0; i < 150; i++) {
        cycle(c, i);
      }
      await("connection threads to end", 10_000, () -> ipc.liveThreads() == 0 && ipc.stats().streams() == 0);
      await("file descriptors to be closed", 10_000, () -> {
        try {
          return openFds() <= fds + 2;
        } catch (java.io.IOException e) {
          return false;
        }
      });
      assertTrue(Thread.activeCount() <= threads + 2, "threads " + threads + " -> " + Thread.activeCount());
      // the server still serves whole streams
      assertEquals(10, readIpc(c, StreamRequest.builder().batchSize(20_000).build()).size());
    }
  }

  /** Opens a stream of big batches, reads one (or none), and hangs up. */
  private static void cycle(WeftIpcClient c, int i) throws Exception {
    try (WeftIpcClient.Stream s = c.openStream(StreamRequest.builder().batchSize(8192).epoch(i)
        .shuffle(ShuffleOptions.global(i)).prefetch(8).build())) {
      if (i % 2 == 0) {
        try (WeftBatch b = s.next()) {
          assertNotNull(b);
          checkIdRows(b.root());
        }
      }
    }
  }

  @Test
  void serveMainPrintsTheIpcLocation() throws Exception {
    Path d = dir.resolve("ids");
    writeIds(d.resolve("a.weft"), 0, 100, alloc);
    ServeMain.Args args = ServeMain.parse(new String[] {d.toString(), "--shm-dir", dir.toString(), "--port", "0",
        "--ipc-port", "0", "--slots", "4", "--slot-size", "64K", "--status-interval", "0", "--preload", "false"});
    java.io.PipedInputStream pin = new java.io.PipedInputStream(1 << 16);
    java.io.PrintStream out = new java.io.PrintStream(new java.io.PipedOutputStream(pin), true, StandardCharsets.UTF_8);
    ServeRunner runner = new ServeRunner();
    int[] rc = {-1};
    Thread t = new Thread(() -> rc[0] = runner.run(new ServeRunner.Config(args.datasets(), args.options(),
        args.flight(), args.ipc(), args.statusInterval(), ServeRunner.AddressLine.SOCKET_THEN_FLIGHT), out,
        new java.io.PrintStream(OutputStream.nullOutputStream())));
    t.start();
    try (java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(pin,
        StandardCharsets.UTF_8))) {
      in.readLine(); // socket
      assertTrue(in.readLine().startsWith("grpc+tcp://"));
      String location = in.readLine();
      assertTrue(location.matches("ipc\\+tcp://127\\.0\\.0\\.1:\\d+"), location);
      try (WeftIpcClient c = WeftIpcClient.connect(location, null, alloc)) {
        assertEquals(4, readIpc(c, StreamRequest.builder().batchSize(25).build()).size());
      }
      runner.stop();
      for (String line = in.readLine(); line != null && !line.equals("stopped"); line = in.readLine()) {
        // drain
      }
      t.join(30_000);
      assertEquals(0, rc[0]);
    }
  }
}

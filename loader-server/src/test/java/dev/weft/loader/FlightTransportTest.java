package dev.weft.loader;

import static dev.weft.loader.LoaderTestSupport.checkIdRows;
import static dev.weft.loader.LoaderTestSupport.ids;
import static dev.weft.loader.LoaderTestSupport.smallRing;
import static dev.weft.loader.LoaderTestSupport.writeIds;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The socket transport (Arrow Flight) end to end: real files, real TCP sockets on 127.0.0.1. */
class FlightTransportTest {
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

  /** A 1,000-row id dataset in two files. */
  private WeftDataset idDataset() throws Exception {
    return LoaderTestSupport.idDataset(dir, alloc);
  }

  /** One received batch, everything a checkpoint and a comparison need. */
  record Got(long epoch, long batchIndex, long firstPosition, long resumePosition, int rows, String tsv) {}

  private static Got got(WeftBatch b) {
    return new Got(b.tag().epoch(), b.tag().batchIndex(), b.tag().firstPosition(), b.resumePosition(), b.rowCount(),
        b.root().contentToTSVString());
  }

  private static List<Got> readFlight(WeftFlightClient c, StreamRequest r) throws Exception {
    List<Got> out = new ArrayList<>();
    try (WeftFlightClient.Stream s = c.openStream(r)) {
      for (WeftBatch next = s.next(); next != null; next = s.next()) {
        try (WeftBatch b = next) {
          out.add(got(b));
        }
      }
      assertEquals(s.numBatches(), out.size(), "batches of the stream");
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
  void bothTransportsServeIdenticalBatchesAndTags() throws Exception {
    try (WeftDataset ds = idDataset();
        LoaderServer shm = LoaderServer.start(ds, smallRing().shmDir(dir).build());
        FlightLoaderService flight = FlightLoaderService.start(ds, FlightLoaderService.Options.loopback(),
            shm.executor());
        WeftLoaderClient sc = WeftLoaderClient.connect(shm.socketPath(), alloc);
        WeftFlightClient fc = WeftFlightClient.connect(flight.uri(), null, alloc)) {
      assertEquals(ds.fingerprint(), fc.fingerprint());
      assertEquals(1000, fc.numRows());
      assertEquals(ds.schema().getFields(), fc.schema().getFields());
      List<StreamRequest> requests = List.of(
          StreamRequest.builder().batchSize(25).shuffle(ShuffleOptions.global(7)).epoch(1).build(),
          StreamRequest.builder().batchSize(32).shuffle(ShuffleOptions.block(-3, 16, 4)).epoch(2).rank(1)
              .worldSize(3).worker(1).numWorkers(2).columns(List.of("s", "id")).build(),
          StreamRequest.builder().batchSize(64).shuffle(ShuffleOptions.none()).rank(2).worldSize(3)
              .tail(ShardPlan.Tail.PAD).fromBatch(2).build(),
          StreamRequest.builder().batchSize(10).shuffle(ShuffleOptions.global(Long.MIN_VALUE)).epoch(5)
              .worldSize(2).rank(1).startPosition(333).expectedFingerprint(ds.fingerprint()).build());
      for (StreamRequest r : requests) {
        List<Got> a = readShm(sc, r);
        List<Got> b = readFlight(fc, r);
        assertTrue(a.size() > 0, r.toString());
        assertEquals(a, b, r.toString());
      }
    }
  }

  @Test
  void everySampleExactlyOnceAcrossRanksAndWorkersWithConcurrentStreams() throws Exception {
    int world = 3;
    int workers = 2;
    int batch = 7;
    try (WeftDataset ds = idDataset();
        FlightLoaderService flight = FlightLoaderService.start(ds, FlightLoaderService.Options.loopback(), null)) {
      ExecutorService pool = Executors.newFixedThreadPool(world * workers);
      try {
        List<Future<List<long[]>>> parts = new ArrayList<>();
        for (int r = 0; r < world; r++) {
          for (int w = 0; w < workers; w++) {
            StreamRequest req = StreamRequest.builder().batchSize(batch).shuffle(ShuffleOptions.global(11)).epoch(4)
                .rank(r).worldSize(world).worker(w).numWorkers(workers).build();
            parts.add(pool.submit(() -> {
              List<long[]> out = new ArrayList<>();
              try (WeftFlightClient c = WeftFlightClient.connect(flight.uri(), null, alloc);
                  WeftFlightClient.Stream s = c.openStream(req)) {
                for (WeftBatch next = s.next(); next != null; next = s.next()) {
                  try (WeftBatch b = next) {
                    checkIdRows(b.root());
                    out.add(ids(b.root()));
                  }
                }
              }
              return out;
            }));
          }
        }
        Set<Long> seen = new HashSet<>();
        long total = 0;
        for (Future<List<long[]>> f : parts) {
          for (long[] ids : f.get()) {
            for (long id : ids) {
              assertTrue(seen.add(id), "sample " + id + " twice");
              total++;
            }
          }
        }
        long perRank = ShardPlan.create(1000, 0, world, batch).batchesPerRank();
        assertEquals(world * batch * perRank, total);
        // exactly the first W*B*batches positions of the epoch's order
        EpochOrder order = EpochOrder.create(ds, ShuffleOptions.global(11), 4);
        for (long p = 0; p < total; p++) {
          assertTrue(seen.contains(order.at(p)), "position " + p + " missing");
        }
        assertEquals(0, flight.stats().streams());
        assertEquals(world * workers, flight.stats().connections());
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void resumeAtTheGlobalPositionWithAnotherWorldSize() throws Exception {
    try (WeftDataset ds = idDataset();
        FlightLoaderService flight = FlightLoaderService.start(ds, FlightLoaderService.Options.loopback(), null);
        WeftFlightClient c = WeftFlightClient.connect(flight.uri(), null, alloc)) {
      ShuffleOptions shuffle = ShuffleOptions.global(99);
      // first run: 4 ranks x batch 9, every rank consumes batches 0..5, then the job stops
      List<Long> consumed = new ArrayList<>();
      long resume = -1;
      for (int r = 0; r < 4; r++) {
        StreamRequest req = StreamRequest.builder().batchSize(9).shuffle(shuffle).epoch(2).rank(r).worldSize(4).build();
        try (WeftFlightClient.Stream s = c.openStream(req)) {
          for (int j = 0; j < 6; j++) {
            try (WeftBatch b = s.next()) {
              for (long id : ids(b.root())) {
                consumed.add(id);
              }
              if (j == 5) {
                assertTrue(resume < 0 || resume == b.resumePosition(), "every rank reports the same resume position");
                resume = b.resumePosition();
              }
            }
          }
        }
      }
      assertEquals(4 * 9 * 6, resume);
      // restart: 3 ranks x 2 workers, batch 11, from the global position
      for (int r = 0; r < 3; r++) {
        for (int w = 0; w < 2; w++) {
          StreamRequest req = StreamRequest.builder().batchSize(11).shuffle(shuffle).epoch(2).rank(r).worldSize(3)
              .worker(w).numWorkers(2).startPosition(resume).build();
          try (WeftFlightClient.Stream s = c.openStream(req)) {
            for (WeftBatch next = s.next(); next != null; next = s.next()) {
              try (WeftBatch b = next) {
                for (long id : ids(b.root())) {
                  consumed.add(id);
                }
              }
            }
          }
        }
      }
      // the epoch's first positions exactly once; only the tail that does not fill a batch on every rank is left
      Set<Long> distinct = new HashSet<>(consumed);
      assertEquals(consumed.size(), distinct.size(), "no sample twice");
      long rest = 1000 - resume;
      long expected = resume + (rest / 3 / 11) * 3 * 11;
      assertEquals(expected, consumed.size());
      assertTrue(1000 - expected < 3 * 11, "only a short tail is dropped");
      EpochOrder order = EpochOrder.create(ds, shuffle, 2);
      for (long p = 0; p < expected; p++) {
        assertTrue(distinct.contains(order.at(p)), "position " + p + " skipped");
      }
    }
  }

  @Test
  void tokenIsRequiredAndChecked() throws Exception {
    try (WeftDataset ds = idDataset();
        FlightLoaderService flight = FlightLoaderService.start(ds,
            new FlightLoaderService.Options("127.0.0.1", 0, "s3cret", 8), null)) {
      WeftLoaderClient.ServerError none = assertThrows(WeftLoaderClient.ServerError.class,
          () -> WeftFlightClient.connect(flight.uri(), null, alloc).close());
      assertEquals("UNAUTHENTICATED", none.code());
      WeftLoaderClient.ServerError wrong = assertThrows(WeftLoaderClient.ServerError.class,
          () -> WeftFlightClient.connect(flight.uri(), "s3cre", alloc).close());
      assertEquals("UNAUTHENTICATED", wrong.code());
      try (WeftFlightClient c = WeftFlightClient.connect(flight.uri(), "s3cret", alloc)) {
        assertEquals(1000 / 100, readFlight(c, StreamRequest.builder().batchSize(100).build()).size());
      }
    }
  }

  @Test
  void nonLoopbackWithoutTokenIsRefused() throws Exception {
    try (WeftDataset ds = idDataset()) {
      assertThrows(FlightLoaderService.InsecureBindException.class, () -> FlightLoaderService.start(ds,
          new FlightLoaderService.Options("0.0.0.0", 0, null, 8), null));
      FlightLoaderService.requireSafeBind("127.0.0.1", null);
      FlightLoaderService.requireSafeBind("localhost", null);
      FlightLoaderService.requireSafeBind("0.0.0.0", "t");
    }
  }

  @Test
  void malformedTicketsGetAnErrorAndTheServerStaysHealthy() throws Exception {
    try (WeftDataset ds = idDataset();
        FlightLoaderService flight = FlightLoaderService.start(ds, FlightLoaderService.Options.loopback(), null);
        WeftFlightClient c = WeftFlightClient.connect(flight.uri(), null, alloc)) {
      String[][] cases = {
        {"", "INVALID_ARGUMENT"},
        {"not json", "INVALID_ARGUMENT"},
        {"[1, 2]", "INVALID_ARGUMENT"},
        {"{\"v\": 1", "INVALID_ARGUMENT"},
        {"{}", "INVALID_ARGUMENT"},
        {"{\"v\": 2}", "INVALID_ARGUMENT"},
        {"{\"v\": 1, \"v\": 1}", "INVALID_ARGUMENT"},
        {"{\"v\": 1, \"bogus\": 1}", "INVALID_ARGUMENT"},
        {"{\"v\": 1, \"batch_size\": 0}", "INVALID_ARGUMENT"},
        {"{\"v\": 1, \"batch_size\": 1048577}", "INVALID_ARGUMENT"},
        {"{\"v\": 1, \"batch_size\": \"256\"}", "INVALID_ARGUMENT"},
        {"{\"v\": 1, \"batch_size\": 2.5}", "INVALID_ARGUMENT"},
        {"{\"v\": 1, \"epoch\": -1}", "INVALID_ARGUMENT"},
        {"{\"v\": 1, \"epoch\": 99999999999999999999999}", "INVALID_ARGUMENT"},
        {"{\"v\": 1, \"rank\": 2, \"world_size\": 2}", "INVALID_ARGUMENT"},
        {"{\"v\": 1, \"worker\": 1}", "INVALID_ARGUMENT"},
        {"{\"v\": 1, \"shuffle\": \"sometimes\"}", "INVALID_ARGUMENT"},
        {"{\"v\": 1, \"block_size\": 4}", "INVALID_ARGUMENT"},
        {"{\"v\": 1, \"seed\": \"abc\"}", "INVALID_ARGUMENT"},
        {"{\"v\": 1, \"seed\": 18446744073709551616}", "INVALID_ARGUMENT"},
        {"{\"v\": 1, \"drop_last\": 1}", "INVALID_ARGUMENT"},
        {"{\"v\": 1, \"columns\": \"id\"}", "INVALID_ARGUMENT"},
        {"{\"v\": 1, \"columns\": [\"id\", 3]}", "INVALID_ARGUMENT"},
        {"{\"v\": 1, \"columns\": [\"nope\"]}", "INVALID_ARGUMENT"},
        {"{\"v\": 1, \"start_position\": 1001}", "INVALID_ARGUMENT"},
        {"{\"v\": 1, \"fingerprint\": \"" + "0".repeat(64) + "\"}", "INVALID_ARGUMENT"},
        {"{\"v\": 1, \"fingerprint\": \"xyz\"}", "INVALID_ARGUMENT"},
        {"{\"v\": 1, \"dataset\": \"/etc/passwd\"}", "NOT_FOUND"},
        {"{\"v\": 1, \"prefetch\": 100000}", "INVALID_ARGUMENT"},
        {"\"" + "x".repeat(FlightTicket.MAX_TICKET_BYTES) + "\"", "INVALID_ARGUMENT"},
        {"{\"v\": 1, \"columns\": " + "[".repeat(5000) + "]".repeat(5000) + "}", "INVALID_ARGUMENT"},
      };
      for (String[] k : cases) {
        WeftLoaderClient.ServerError e = assertThrows(WeftLoaderClient.ServerError.class,
            () -> c.openTicket(k[0].getBytes(StandardCharsets.UTF_8), null).close(), k[0]);
        assertEquals(k[1], e.code(), (k[0].length() > 100 ? k[0].substring(0, 100) : k[0]) + ": " + e.getMessage());
      }
      // far past the message limit: refused by gRPC before it is parsed
      byte[] huge = new byte[3 << 20];
      Arrays.fill(huge, (byte) ' ');
      WeftLoaderClient.ServerError e = assertThrows(WeftLoaderClient.ServerError.class,
          () -> c.openTicket(huge, null).close());
      assertEquals("RESOURCE_EXHAUSTED", e.code(), e.getMessage());
      // still serving
      List<Got> ok = readFlight(c, StreamRequest.builder().batchSize(100).columns(List.of("id")).build());
      assertEquals(10, ok.size());
      assertTrue(flight.stats().errors() >= cases.length);
    }
  }

  @Test
  void concurrentStreamsAreBounded() throws Exception {
    try (WeftDataset ds = idDataset();
        FlightLoaderService flight = FlightLoaderService.start(ds,
            new FlightLoaderService.Options("127.0.0.1", 0, null, 3), null);
        WeftFlightClient c = WeftFlightClient.connect(flight.uri(), null, alloc)) {
      FlightProducerImpl p = flight.producerForTests();
      p.streamPermitsForTests().acquire(3); // three streams running
      try {
        WeftLoaderClient.ServerError e = assertThrows(WeftLoaderClient.ServerError.class,
            () -> readFlight(c, StreamRequest.builder().build()));
        assertEquals("RESOURCE_EXHAUSTED", e.code());
      } finally {
        p.streamPermitsForTests().release(3);
      }
      assertEquals(10, readFlight(c, StreamRequest.builder().batchSize(100).build()).size());
    }
  }

  @Test
  void listFlightsAndFlightInfoDescribeTheServedDataset() throws Exception {
    try (WeftDataset ds = idDataset();
        FlightLoaderService flight = FlightLoaderService.start(ds, FlightLoaderService.Options.loopback(), null);
        WeftFlightClient c = WeftFlightClient.connect(flight.uri(), null, alloc)) {
      List<FlightInfo> infos = c.listFlights();
      assertEquals(1, infos.size());
      FlightInfo i = infos.get(0);
      assertEquals(List.of(FlightLoaderService.DATASET_NAME), i.getDescriptor().getPath());
      assertEquals(1000, i.getRecords());
      assertEquals(ds.fingerprint().hex(), i.getSchemaOptional().orElseThrow().getCustomMetadata().get("weft.fingerprint"));
      // the endpoint's ticket reads the whole epoch 0
      byte[] ticket = i.getEndpoints().get(0).getTicket().getBytes();
      int rows = 0;
      try (WeftFlightClient.Stream s = c.openTicket(ticket, null)) {
        for (WeftBatch next = s.next(); next != null; next = s.next()) {
          try (WeftBatch b = next) {
            rows += b.rowCount();
          }
        }
      }
      assertEquals(1000 / 256 * 256, rows);
    }
  }

  @Test
  void aClientThatStopsReadingAndLeavesDoesNotHurtTheServer() throws Exception {
    try (WeftDataset ds = idDataset();
        FlightLoaderService flight = FlightLoaderService.start(ds, FlightLoaderService.Options.loopback(), null)) {
      for (int i = 0; i < 20; i++) {
        try (WeftFlightClient c = WeftFlightClient.connect(flight.uri(), null, alloc);
            WeftFlightClient.Stream s = c.openStream(StreamRequest.builder().batchSize(1).build())) {
          s.next().close(); // read one of 1,000 batches, then leave
        }
      }
      LoaderTestSupport.await("streams ended", 10_000, () -> flight.stats().streams() == 0);
      try (WeftFlightClient c = WeftFlightClient.connect(flight.uri(), null, alloc)) {
        assertEquals(4, readFlight(c, StreamRequest.builder().batchSize(250).build()).size());
      }
    }
  }

  @Test
  void ticketRoundTrip() {
    StreamRequest r = StreamRequest.builder().batchSize(17).shuffle(ShuffleOptions.block(-1, 8, 3)).epoch(9).rank(2)
        .worldSize(5).worker(1).numWorkers(4).tail(ShardPlan.Tail.PAD).fromBatch(3).startPosition(40).prefetch(6)
        .columns(List.of("a", "b")).build();
    FlightTicket t = FlightTicket.parse(FlightTicket.encode("default", r));
    assertEquals("default", t.dataset());
    assertEquals(r.toString(), t.request().toString());
    assertEquals(-1L, t.request().shuffle().seed());
    assertEquals(6, t.request().prefetch());
    assertNull(FlightTicket.parse("{\"v\":1}".getBytes(StandardCharsets.UTF_8)).request().columns());
    assertEquals(-1L, FlightTicket.parse("{\"v\":1,\"seed\":\"18446744073709551615\"}".getBytes(StandardCharsets.UTF_8))
        .request().shuffle().seed());
    long[] tag = FlightTicket.parseTag(FlightTicket.tagJson(new BatchTag(null, 3, 4, 5), 6, 7));
    assertArrayEquals(new long[] {3, 4, 5, 6, 7}, tag);
  }

  @Test
  void serveMainPrintsTheSocketThenTheFlightLocationAndStops() throws Exception {
    Path d = dir.resolve("ids");
    writeIds(d.resolve("a.weft"), 0, 100, alloc);
    ServeMain.Args args = ServeMain.parse(new String[] {d.toString(), "--shm-dir", dir.toString(), "--port", "0",
        "--slots", "4", "--slot-size", "64K", "--status-interval", "0.1"});
    assertEquals("127.0.0.1", args.flight().host());
    assertNull(ServeMain.parse(new String[] {d.toString()}).flight(), "no Flight without --port");
    java.io.PipedInputStream pin = new java.io.PipedInputStream(1 << 16);
    java.io.PrintStream out = new java.io.PrintStream(new java.io.PipedOutputStream(pin), true, StandardCharsets.UTF_8);
    ServeRunner runner = new ServeRunner();
    int[] rc = {-1};
    Thread t = new Thread(() -> rc[0] = runner.run(new ServeRunner.Config(args.datasets(), args.options(),
        args.flight(), args.statusInterval(), ServeRunner.AddressLine.SOCKET_THEN_FLIGHT), out,
        new java.io.PrintStream(java.io.OutputStream.nullOutputStream())));
    t.start();
    try (java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(pin,
        StandardCharsets.UTF_8))) {
      Path socket = Path.of(in.readLine());
      String location = in.readLine();
      assertTrue(location.matches("grpc\\+tcp://127\\.0\\.0\\.1:\\d+"), location);
      try (WeftLoaderClient sc = WeftLoaderClient.connect(socket, alloc);
          WeftFlightClient fc = WeftFlightClient.connect(location, null, alloc)) {
        assertEquals(100, sc.numRows());
        assertEquals(4, readFlight(fc, StreamRequest.builder().batchSize(25).build()).size());
      }
      String status = in.readLine();
      assertTrue(status.startsWith("status: "), status);
      runner.stop();
      String last = status;
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        last = line;
        if (line.equals("stopped")) {
          break;
        }
      }
      assertEquals("stopped", last);
      t.join(30_000);
      assertEquals(0, rc[0]);
      assertTrue(Files.notExists(socket));
    }
    // a non-loopback host without a token: refused before anything starts
    ServeMain.Args open = ServeMain.parse(new String[] {d.toString(), "--port", "0", "--host", "0.0.0.0"});
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    assertEquals(2, new ServeRunner().run(new ServeRunner.Config(open.datasets(), open.options(), open.flight(), 0,
        ServeRunner.AddressLine.SOCKET_THEN_FLIGHT), new java.io.PrintStream(java.io.OutputStream.nullOutputStream()),
        new java.io.PrintStream(err, true, StandardCharsets.UTF_8)));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("token"));
  }
}

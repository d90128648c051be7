package dev.weft.loader;

import static dev.weft.loader.LoaderTestSupport.Got;
import static dev.weft.loader.LoaderTestSupport.await;
import static dev.weft.loader.LoaderTestSupport.expectedIds;
import static dev.weft.loader.LoaderTestSupport.readAll;
import static dev.weft.loader.LoaderTestSupport.smallRing;
import static dev.weft.loader.LoaderTestSupport.writeIds;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.testdata.ArrowAssert;
import dev.weft.testdata.RandomArrow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shared-memory transport end to end: real files, real sockets, real /dev/shm. */
class LoaderServerTest {
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

  private static StreamRequest.Builder req() {
    return StreamRequest.builder().batchSize(25).shuffle(ShuffleOptions.global(7)).epoch(1);
  }

  /** Batches of all workers of one rank, put back into the training loop's order. */
  private static List<Got> rankSequence(Path socket, BufferAllocator a, StreamRequest.Builder r, int workers)
      throws Exception {
    TreeMap<Long, Got> byIndex = new TreeMap<>();
    try (WeftLoaderClient c = WeftLoaderClient.connect(socket, a)) {
      for (int w = 0; w < workers; w++) {
        for (Got g : readAll(c, r.worker(w).numWorkers(workers).build())) {
          assertNull(byIndex.put(g.batchIndex(), g), "batch " + g.batchIndex() + " twice");
        }
      }
    }
    return new ArrayList<>(byIndex.values());
  }

  @Test
  void batchesEqualTheAssemblersForAllTypesAndAreViewsOfTheRing() throws Exception {
    Schema schema = RandomArrow.allTypesSchema();
    try (Fixtures.Expected e = new Fixtures.Expected()) {
      e.add(dir.resolve("all/a.weft"), schema, 150, 3, Fixtures.small(), alloc);
      e.add(dir.resolve("all/b.weft"), schema, 90, 4, Fixtures.small(), alloc);
      List<String> names = schema.getFields().stream().map(Field::getName).toList();
      try (WeftDataset ds = WeftDataset.open(List.of(dir.resolve("all")), alloc);
          LoaderServer server = LoaderServer.start(ds, smallRing().slots(8).slotSize(1 << 20).build());
          BufferAllocator ca = new RootAllocator();
          WeftLoaderClient c = WeftLoaderClient.connect(server.socketPath(), ca)) {
        assertEquals(240, c.numRows());
        assertEquals(ds.fingerprint(), c.fingerprint());
        ArrowAssert.assertSchemaEquals(schema, c.schema());
        for (List<String> projection : Arrays.asList(null, List.of(names.get(5), names.get(0), names.get(2)))) {
          StreamRequest r = StreamRequest.builder().batchSize(37).shuffle(ShuffleOptions.global(11)).epoch(2)
              .columns(projection).build();
          BatchAssembler asm = new BatchAssembler(ds, projection);
          EpochOrder order = EpochOrder.create(ds, r.shuffle(), r.epoch());
          ShardPlan plan = ShardPlan.create(ds.numRows(), 0, 1, 37);
          int zeroCopy = 0;
          try (WeftLoaderClient.Stream s = c.openStream(r)) {
            ArrowAssert.assertSchemaEquals(asm.schema(), s.schema());
            long j = 0;
            for (WeftBatch next = s.next(); next != null; next = s.next(), j++) {
              try (WeftBatch b = next; BatchAssembler.Batch expected = asm.assemble(order, plan, j)) {
                assertEquals(expected.tag(), b.tag());
                assertFalse(b.isInline());
                ArrowAssert.assertRootEquals(expected.root(), b.root());
                for (FieldVector v : b.root().getFieldVectors()) {
                  if (v instanceof BaseFixedWidthVector && v.getValueCount() > 0) {
                    assertTrue(c.inRing(v.getDataBuffer().memoryAddress()), v.getName() + " is a view of the ring");
                    zeroCopy++;
                  }
                }
              }
            }
            assertEquals(plan.batchesPerRank(), j);
          }
          assertTrue(zeroCopy > 0);
        }
        await("all slots back", 5000, () -> server.stats().slotsInUse() == 0);
      }
    }
  }

  @Test
  void deterministicAcrossRunsAndWorkerCounts() throws Exception {
    List<List<Got>> runs = new ArrayList<>();
    for (int run = 0; run < 2; run++) {
      try (WeftDataset ds = idDataset(); LoaderServer server = LoaderServer.start(ds, smallRing().build())) {
        for (int workers : new int[] {1, 3}) {
          List<Got> seq = rankSequence(server.socketPath(), alloc, req(), workers);
          assertEquals(40, seq.size());
          for (int j = 0; j < seq.size(); j++) {
            assertEquals(j, seq.get(j).batchIndex());
            assertArrayEquals(expectedIds(ds, req().build(), j), seq.get(j).ids(), "batch " + j);
          }
          runs.add(seq);
        }
      }
    }
    for (List<Got> seq : runs) {
      for (int j = 0; j < seq.size(); j++) {
        assertArrayEquals(runs.get(0).get(j).ids(), seq.get(j).ids());
      }
    }
  }

  @Test
  void exactlyOncePerEpochAcrossRanksAndWorkersConcurrently() throws Exception {
    int ranks = 2;
    int workers = 3;
    try (WeftDataset ds = idDataset(); LoaderServer server = LoaderServer.start(ds, smallRing().build())) {
      for (ShardPlan.Tail tail : ShardPlan.Tail.values()) {
        StreamRequest.Builder base = req().batchSize(30).tail(tail).worldSize(ranks);
        ExecutorService pool = Executors.newFixedThreadPool(ranks * workers);
        List<Future<List<Got>>> parts = new ArrayList<>();
        for (int r = 0; r < ranks; r++) {
          for (int w = 0; w < workers; w++) {
            StreamRequest q = req().batchSize(30).tail(tail).worldSize(ranks).rank(r).worker(w).numWorkers(workers)
                .build();
            parts.add(pool.submit(() -> {
              try (BufferAllocator a = new RootAllocator(); WeftLoaderClient c = WeftLoaderClient.connect(server.socketPath(), a)) {
                return readAll(c, q);
              }
            }));
          }
        }
        int[] seen = new int[1000];
        long total = 0;
        for (Future<List<Got>> f : parts) {
          for (Got g : f.get()) {
            for (long id : g.ids()) {
              seen[(int) id]++;
              total++;
            }
          }
        }
        pool.shutdown();
        ShardPlan plan = ShardPlan.create(1000, 0, ranks, 30, tail);
        assertEquals(ranks * plan.batchesPerRank() * 30, total);
        if (tail == ShardPlan.Tail.DROP_LAST) {
          // 1000 / 2 / 30 = 16 batches per rank: global positions [0, 960) exactly once
          EpochOrder order = EpochOrder.create(ds, base.build().shuffle(), 1);
          BitSet used = new BitSet();
          for (long p = 0; p < 960; p++) {
            used.set((int) order.at(p));
          }
          for (int id = 0; id < 1000; id++) {
            assertEquals(used.get(id) ? 1 : 0, seen[id], "id " + id);
          }
        } else {
          for (int id = 0; id < 1000; id++) {
            assertTrue(seen[id] >= 1 && seen[id] <= 2, "id " + id + " seen " + seen[id]);
          }
        }
      }
      await("all slots back", 5000, () -> server.stats().slotsInUse() == 0 && server.stats().clients() == 0);
    }
  }

  @Test
  void resumeFromABatchIndexEqualsTheRestOfTheEpochWithAnyWorkerCount() throws Exception {
    try (WeftDataset ds = idDataset(); LoaderServer server = LoaderServer.start(ds, smallRing().build())) {
      List<Got> full = rankSequence(server.socketPath(), alloc, req().worldSize(2).rank(1), 2);
      Random rnd = new Random(5);
      for (int trial = 0; trial < 3; trial++) {
        int from = rnd.nextInt(full.size() + 1);
        int workers = 1 + rnd.nextInt(4);
        List<Got> rest = rankSequence(server.socketPath(), alloc, req().worldSize(2).rank(1).fromBatch(from), workers);
        assertEquals(full.size() - from, rest.size(), "resume at " + from + " with " + workers + " workers");
        for (int k = 0; k < rest.size(); k++) {
          assertEquals(full.get(from + k).batchIndex(), rest.get(k).batchIndex());
          assertEquals(full.get(from + k).firstPosition(), rest.get(k).firstPosition());
          assertArrayEquals(full.get(from + k).ids(), rest.get(k).ids());
        }
      }
    }
  }

  @Test
  void noShuffleBlockShuffleAndProjections() throws Exception {
    try (WeftDataset ds = idDataset(); LoaderServer server = LoaderServer.start(ds, smallRing().build());
        WeftLoaderClient c = WeftLoaderClient.connect(server.socketPath(), alloc)) {
      for (ShuffleOptions so : List.of(ShuffleOptions.none(), ShuffleOptions.block(3, 16, 4))) {
        StreamRequest r = req().shuffle(so).columns(List.of("s", "id")).build();
        List<Got> got = readAll(c, r);
        for (int j = 0; j < got.size(); j++) {
          assertArrayEquals(expectedIds(ds, r, j), got.get(j).ids());
        }
      }
      try (WeftLoaderClient.Stream s = c.openStream(req().columns(List.of("x", "id")).build());
          WeftBatch b = s.next()) {
        assertEquals(List.of("x", "id"), b.root().getSchema().getFields().stream().map(Field::getName).toList());
      }
    }
  }

  @Test
  void nextWaitsWhileTheClientHoldsMaxInFlightAndReleasesFromAnyThreadCount() throws Exception {
    try (WeftDataset ds = idDataset(); LoaderServer server = LoaderServer.start(ds, smallRing().build());
        WeftLoaderClient c = WeftLoaderClient.connect(server.socketPath(), alloc);
        WeftLoaderClient.Stream s = c.openStream(req().maxInFlight(2).prefetch(1).build())) {
      assertEquals(2, s.maxInFlight());
      assertEquals(1, s.prefetch());
      WeftBatch a = s.next();
      WeftBatch b = s.next();
      WeftLoaderClient.NextTimeoutException t =
          assertThrows(WeftLoaderClient.NextTimeoutException.class, () -> s.next(Duration.ofMillis(150)));
      assertEquals(2, t.held());
      assertTrue(t.getMessage().contains("release"), t.getMessage());
      a.close();
      WeftBatch c3 = s.next(Duration.ofSeconds(10)); // the connection is still usable
      assertEquals(2, c3.tag().batchIndex());
      // a batch closed by another thread while next() waits unblocks it
      Thread closer = new Thread(() -> {
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        b.close();
      });
      closer.start();
      long t0 = System.nanoTime();
      try (WeftBatch d = s.next(Duration.ofSeconds(10))) {
        assertEquals(3, d.tag().batchIndex());
      }
      assertTrue(System.nanoTime() - t0 >= 50_000_000L, "next() waited for the release");
      closer.join();
      c3.close();
      // hand batches to another thread to close, as a training loop might
      ArrayBlockingQueue<WeftBatch> q = new ArrayBlockingQueue<>(4);
      Thread consumer = new Thread(() -> {
        try {
          for (WeftBatch x = q.take(); x.rowCount() > 0; x = q.take()) {
            LoaderTestSupport.checkIdRows(x.root());
            x.close();
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      consumer.start();
      int n = 0;
      for (WeftBatch x = s.next(Duration.ofSeconds(10)); x != null; x = s.next(Duration.ofSeconds(10))) {
        q.put(x);
        n++;
      }
      q.put(new WeftBatch(VectorSchemaRoot.create(s.schema(), alloc), null, -1, 0)); // poison: 0 rows
      consumer.join();
      assertEquals(40 - 4, n);
      await("all slots back", 5000, () -> server.stats().slotsInUse() == 0);
      assertTrue(server.stats().waitNanos() > 0);
    }
  }

  @Test
  void aClientThatDisconnectsMidEpochGetsItsSlotsReclaimed() throws Exception {
    try (WeftDataset ds = idDataset(); LoaderServer server = LoaderServer.start(ds, smallRing().build())) {
      for (boolean graceful : new boolean[] {false, true}) {
        WeftLoaderClient c = WeftLoaderClient.connect(server.socketPath(), alloc);
        WeftLoaderClient.Stream s = c.openStream(req().maxInFlight(3).build());
        WeftBatch a = s.next();
        WeftBatch b = s.next();
        s.next().close();
        await("slots held", 5000, () -> server.stats().slotsInUse() >= 2);
        if (graceful) {
          c.close();
        } else {
          c.abort(); // no BYE, no CLOSE_STREAM, no RELEASE: just EOF
        }
        await("slots reclaimed", 5000, () -> server.stats().slotsInUse() == 0 && server.stats().clients() == 0);
        // the batches stay readable (mapped) until closed, though their slots were reclaimed
        assertEquals(25, a.rowCount());
        a.close();
        b.close();
        // the server is healthy: a whole epoch for a new client
        try (WeftLoaderClient c2 = WeftLoaderClient.connect(server.socketPath(), alloc)) {
          assertEquals(40, readAll(c2, req().build()).size());
        }
      }
    }
  }

  @Test
  void thousandConnectDisconnectCyclesLeakNoFdsMemoryOrShmFiles() throws Exception {
    try (WeftDataset ds = idDataset(); LoaderServer server = LoaderServer.start(ds, smallRing().build())) {
      String tag = LoaderTestSupport.baseName(server);
      // warm up (class loading, lazily opened files)
      try (WeftLoaderClient c = WeftLoaderClient.connect(server.socketPath(), alloc)) {
        readAll(c, req().build());
      }
      await("idle", 5000, () -> server.stats().clients() == 0);
      long fds = LoaderTestSupport.openFds();
      // only this JVM's segments: other processes on the machine may create and remove theirs
      String ours = "weft-" + ProcessHandle.current().pid() + "-";
      List<Path> shm = LoaderTestSupport.weftFiles(LoaderServerOptions.DEFAULT_SHM_DIR, ours);
      int threads = Thread.activeCount();
      for (int i = 0; i < 1000; i++) {
        try (WeftLoaderClient c = WeftLoaderClient.connect(server.socketPath(), alloc)) {
          if (i % 10 == 0) {
            try (WeftLoaderClient.Stream s = c.openStream(req().build())) {
              WeftBatch b = s.next();
              if (i % 20 == 0) {
                b.close(); // else: closed after its client, below
              } else {
                c.abort();
              }
              b.close();
            }
          }
        }
      }
      await("all connections gone", 10000, () -> server.stats().clients() == 0);
      await("all slots back", 5000, () -> server.stats().slotsInUse() == 0);
      await("connection threads gone", 10000, () -> Thread.activeCount() <= threads + 2);
      assertEquals(0, alloc.getAllocatedMemory());
      assertTrue(LoaderTestSupport.openFds() <= fds + 2, "fds before " + fds + ", after " + LoaderTestSupport.openFds());
      assertEquals(shm, LoaderTestSupport.weftFiles(LoaderServerOptions.DEFAULT_SHM_DIR, ours));
      assertEquals(1, LoaderTestSupport.weftFiles(LoaderServerOptions.DEFAULT_SHM_DIR, tag).size());
      assertTrue(server.stats().connections() >= 1001);
    }
  }

  @Test
  void aBatchTooLargeForASlotIsSentInlineOrRefusedWithAClearError() throws Exception {
    try (WeftDataset ds = idDataset()) {
      // a 4 KiB slot holds ~4,000 bytes of message; 200 rows of (int64, float64, utf8) do not fit
      try (LoaderServer server = LoaderServer.start(ds, smallRing().slots(4).slotSize(4096).build());
          WeftLoaderClient c = WeftLoaderClient.connect(server.socketPath(), alloc);
          WeftLoaderClient.Stream s = c.openStream(req().batchSize(200).maxInFlight(1).prefetch(1).build())) {
        int inline = 0;
        for (WeftBatch next = s.next(); next != null; next = s.next()) {
          try (WeftBatch b = next) {
            assertTrue(b.isInline());
            assertArrayEquals(expectedIds(ds, req().batchSize(200).build(), b.tag().batchIndex()),
                LoaderTestSupport.ids(b.root()));
            LoaderTestSupport.checkIdRows(b.root());
            inline++;
          }
        }
        assertEquals(5, inline);
        assertEquals(5, server.stats().inlineBatches());
        // small batches still go through slots
        try (WeftLoaderClient.Stream s2 = c.openStream(req().batchSize(5).build()); WeftBatch b = s2.next()) {
          assertFalse(b.isInline());
        }
      }
      try (LoaderServer server = LoaderServer.start(ds, smallRing().slots(4).slotSize(4096).inlineLimit(0).build());
          WeftLoaderClient c = WeftLoaderClient.connect(server.socketPath(), alloc);
          WeftLoaderClient.Stream s = c.openStream(req().batchSize(200).build())) {
        WeftLoaderClient.ServerError e = assertThrows(WeftLoaderClient.ServerError.class, s::next);
        assertEquals("BATCH_TOO_LARGE", e.code());
        assertTrue(e.getMessage().contains("--slot-size"), e.getMessage());
        await("slots back", 5000, () -> server.stats().slotsInUse() == 0 && server.stats().clients() == 0);
      }
    }
  }

  @Test
  void slotReservationsNeverExceedTheRing() throws Exception {
    try (WeftDataset ds = idDataset();
        LoaderServer server = LoaderServer.start(ds, smallRing().slots(8).build());
        WeftLoaderClient c = WeftLoaderClient.connect(server.socketPath(), alloc)) {
      WeftLoaderClient.Stream a = c.openStream(req().maxInFlight(2).prefetch(2).build()); // 4 slots
      WeftLoaderClient.Stream b = c.openStream(req().maxInFlight(2).prefetch(5).build()); // 4 left: 2 + 2
      assertEquals(2, b.prefetch());
      a.close();
      await("a's reservation back", 5000, () -> server.stats().slotsReserved() == 4);
      WeftLoaderClient.Stream d = c.openStream(req().maxInFlight(4).prefetch(0).build());
      assertEquals(4, d.maxInFlight());
      WeftLoaderClient.ServerError e = assertThrows(WeftLoaderClient.ServerError.class,
          () -> c.openStream(req().maxInFlight(1).build()));
      assertEquals("RESOURCE_EXHAUSTED", e.code());
      assertTrue(e.getMessage().contains("--slots"), e.getMessage());
      await("slots back", 5000, () -> server.stats().slotsInUse() == 0 && server.stats().clients() == 0);
      b.close();
      d.close();
    }
  }

  @Test
  void aClientThatExpectsAnotherDatasetIsRefused() throws Exception {
    try (WeftDataset ds = idDataset(); LoaderServer server = LoaderServer.start(ds, smallRing().build());
        WeftLoaderClient c = WeftLoaderClient.connect(server.socketPath(), alloc)) {
      try (WeftLoaderClient.Stream s = c.openStream(req().expectedFingerprint(ds.fingerprint()).build());
          WeftBatch b = s.next()) {
        assertNotNull(b, "the right fingerprint is accepted");
      }
      DatasetFingerprint other = DatasetFingerprint.ofHex("ab".repeat(32));
      WeftLoaderClient.ServerError e = assertThrows(WeftLoaderClient.ServerError.class,
          () -> c.openStream(req().expectedFingerprint(other).build()));
      assertEquals("FINGERPRINT", e.code());
      assertThrows(java.io.IOException.class, () -> c.openStream(req().build()), "the connection is closed");
    }
  }

  @Test
  void shutdownRemovesTheSegmentAndTheSocketAndDisconnectsClients() throws Exception {
    try (WeftDataset ds = idDataset()) {
      LoaderServer server = LoaderServer.start(ds, smallRing().build());
      Path segment = server.segmentPath();
      Path socket = server.socketPath();
      assertTrue(segment.startsWith(LoaderServerOptions.DEFAULT_SHM_DIR));
      assertTrue(Files.exists(segment) && Files.exists(socket));
      assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
          Files.getPosixFilePermissions(segment)));
      WeftLoaderClient c = WeftLoaderClient.connect(server.socketPath(), alloc);
      WeftLoaderClient.Stream s = c.openStream(req().build());
      WeftBatch held = s.next();
      server.close();
      assertFalse(Files.exists(segment), "segment removed");
      assertFalse(Files.exists(socket), "socket removed");
      assertThrows(java.io.IOException.class, s::next);
      held.close();
      c.close();
      server.close(); // idempotent
      assertEquals(List.of(), LoaderTestSupport.weftFiles(LoaderServerOptions.DEFAULT_SHM_DIR,
          LoaderTestSupport.baseName(server)));
    }
  }

  @Test
  void statsCountWhatWasDelivered() throws Exception {
    try (WeftDataset ds = idDataset(); LoaderServer server = LoaderServer.start(ds, smallRing().build());
        WeftLoaderClient c = WeftLoaderClient.connect(server.socketPath(), alloc)) {
      readAll(c, req().build());
      LoaderServer.Stats st = server.stats();
      assertEquals(40, st.batches());
      assertEquals(1000, st.rows());
      assertTrue(st.bytes() > 1000 * 16);
      assertEquals(1, st.clients());
      assertEquals(32, st.slots());
      String line = ServeMain.statusLine(new LoaderServer.Stats(0, 0, 0, 0, 32, 0, 0, 0, 0, 0, 0, 0, 0), st, 2.0);
      assertTrue(line.contains("20.0 batches/s") && line.contains("500 samples/s") && line.contains("1 clients"), line);
    }
  }
}

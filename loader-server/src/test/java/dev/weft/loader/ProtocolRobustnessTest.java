package dev.weft.loader;

import static dev.weft.loader.LoaderTestSupport.await;
import static dev.weft.loader.LoaderTestSupport.readAll;
import static dev.weft.loader.LoaderTestSupport.smallRing;
import static dev.weft.loader.LoaderTestSupport.writeIds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.loader.Protocol.ErrorCode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Malformed, hostile and out-of-order control messages: each gets an ERROR reply and its
 * connection closed; the server never crashes and keeps serving everyone else. Also the
 * handoff/adopt protocol.
 */
class ProtocolRobustnessTest {
  @TempDir static Path dir;
  private static BufferAllocator alloc;
  private static WeftDataset ds;
  private static LoaderServer server;
  private static final String TOKEN = "s3cret";

  @BeforeAll
  static void start() throws Exception {
    alloc = new RootAllocator();
    writeIds(dir.resolve("d/a.weft"), 0, 500, alloc);
    ds = WeftDataset.open(List.of(dir.resolve("d")), alloc);
    server = LoaderServer.start(ds, smallRing().token(TOKEN).handoffTimeout(Duration.ofMillis(300)).build());
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      // after all that abuse: healthy, nothing leaked
      await("connections closed", 5000, () -> server.stats().clients() == 0);
      await("slots back", 5000, () -> server.stats().slotsInUse() == 0 && server.stats().slotsReserved() == 0);
      try (WeftLoaderClient c = WeftLoaderClient.connect(server.socketPath(), TOKEN, alloc)) {
        assertEquals(5, readAll(c, StreamRequest.builder().batchSize(100).build()).size());
      }
    } finally {
      server.close();
      ds.close();
      alloc.close();
    }
  }

  private static RawClient raw() throws Exception {
    return new RawClient(server.socketPath());
  }

  private static RawClient welcomed() throws Exception {
    RawClient r = raw();
    r.hello(TOKEN);
    return r;
  }

  @Test
  void garbageBytes() throws Exception {
    Random rnd = new Random(42);
    for (int trial = 0; trial < 20; trial++) {
      byte[] junk = new byte[1 + rnd.nextInt(200)];
      rnd.nextBytes(junk);
      try (RawClient r = raw()) {
        r.sendRaw(junk);
        if (junk.length < 8) {
          r.close(); // a partial header, then EOF: nothing to answer
          continue;
        }
        var f = r.read();
        assertEquals(Protocol.ERROR, f.type(), "trial " + trial + ": " + RawClient.describe(f));
      }
    }
    try (RawClient r = raw()) {
      r.sendRaw("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      r.expectErrorThenEof(ErrorCode.TOO_LARGE);
    }
  }

  @Test
  void hugeLengthPrefix() throws Exception {
    for (long len : new long[] {0xFFFFFFFFL, Protocol.MAX_REQUEST_BODY + 1L, 1L << 30}) {
      try (RawClient r = raw()) {
        r.sendRaw(RawClient.header(len, Protocol.HELLO, 0));
        String m = r.expectErrorThenEof(ErrorCode.TOO_LARGE);
        assertTrue(m.contains("exceeds the limit"), m);
      }
      try (RawClient r = welcomed()) {
        r.sendRaw(RawClient.header(len, Protocol.NEXT, 0));
        r.expectErrorThenEof(ErrorCode.TOO_LARGE);
      }
    }
  }

  @Test
  void badHelloes() throws Exception {
    try (RawClient r = raw()) { // not the magic
      r.send(new Protocol.Out(Protocol.HELLO, 16).bytes("WEFTLOAX".getBytes(StandardCharsets.US_ASCII)).u16(1).u16(0)
          .u32(0).u16(0).frame());
      r.expectErrorThenEof(ErrorCode.MALFORMED);
    }
    try (RawClient r = raw()) {
      r.send(new Protocol.Hello(99, 1, TOKEN).encode());
      r.expectErrorThenEof(ErrorCode.VERSION);
    }
    try (RawClient r = raw()) {
      r.send(new Protocol.Hello(Protocol.VERSION, 1, "wrong").encode());
      r.expectErrorThenEof(ErrorCode.AUTH);
    }
    try (RawClient r = raw()) {
      r.send(new Protocol.Hello(Protocol.VERSION, 1, null).encode());
      r.expectErrorThenEof(ErrorCode.AUTH);
    }
    try (RawClient r = raw()) { // token not UTF-8
      r.send(new Protocol.Out(Protocol.HELLO, 16).bytes(Protocol.HELLO_MAGIC).u16(1).u16(0).u32(0).u16(2)
          .u8(0xC3).u8(0x28).frame());
      r.expectErrorThenEof(ErrorCode.MALFORMED);
    }
    try (RawClient r = raw()) { // truncated
      r.send(new Protocol.Out(Protocol.HELLO, 16).bytes(Protocol.HELLO_MAGIC).u16(1).frame());
      r.expectErrorThenEof(ErrorCode.MALFORMED);
    }
    try (RawClient r = welcomed()) {
      r.send(new Protocol.Hello(Protocol.VERSION, 1, TOKEN).encode());
      r.expectErrorThenEof(ErrorCode.OUT_OF_ORDER);
    }
    WeftLoaderClient.ServerError e = assertThrows(WeftLoaderClient.ServerError.class,
        () -> WeftLoaderClient.connect(server.socketPath(), "nope", alloc));
    assertEquals("AUTH", e.code());
  }

  @Test
  void requestsBeforeHelloUnknownTypesAndFlags() throws Exception {
    try (RawClient r = raw()) {
      r.send(new Protocol.Next(1, 0).encode());
      r.expectErrorThenEof(ErrorCode.OUT_OF_ORDER);
    }
    try (RawClient r = raw()) {
      r.send(new Protocol.SlotRef(0, 2).encode(Protocol.RELEASE));
      r.expectErrorThenEof(ErrorCode.OUT_OF_ORDER);
    }
    for (int type : new int[] {0, 0x09, 0x42, Protocol.WELCOME, Protocol.ERROR, 0xFFFF}) {
      try (RawClient r = welcomed()) {
        r.sendRaw(RawClient.header(0, type, 0));
        r.expectErrorThenEof(ErrorCode.UNKNOWN_TYPE);
      }
    }
    try (RawClient r = welcomed()) {
      r.sendRaw(RawClient.header(8, Protocol.NEXT, 1));
      r.expectErrorThenEof(ErrorCode.MALFORMED);
    }
  }

  @Test
  void truncatedAndOverlongBodies() throws Exception {
    try (RawClient r = welcomed()) {
      r.send(new Protocol.Out(Protocol.NEXT, 4).u32(1).frame());
      r.expectErrorThenEof(ErrorCode.MALFORMED);
    }
    try (RawClient r = welcomed()) {
      r.send(new Protocol.Out(Protocol.NEXT, 12).u32(1).u32(0).u32(0).frame());
      r.expectErrorThenEof(ErrorCode.MALFORMED);
    }
    try (RawClient r = welcomed()) {
      r.send(new Protocol.Out(Protocol.RELEASE, 4).u32(1).frame());
      r.expectErrorThenEof(ErrorCode.MALFORMED);
    }
    try (RawClient r = welcomed()) { // an OPEN_STREAM claiming 2^31 columns
      ByteBuffer f = Protocol.encodeOpenStream(StreamRequest.builder().build());
      f.putInt(f.limit() - 4, Integer.MAX_VALUE);
      r.send(f);
      r.expectErrorThenEof(ErrorCode.MALFORMED);
    }
    try (RawClient r = welcomed()) { // a frame cut short by the client going away: no reply, no harm
      r.sendRaw(RawClient.header(100, Protocol.OPEN_STREAM, 0));
      r.sendRaw(new byte[10]);
    }
  }

  @Test
  void badStreamRequests() throws Exception {
    try (RawClient r = welcomed()) {
      ByteBuffer f = Protocol.encodeOpenStream(StreamRequest.builder().worldSize(2).build());
      f.putInt(Protocol.FRAME_HEADER + 28, 5); // rank 5 of 2
      r.send(f);
      String m = r.expectErrorThenEof(ErrorCode.BAD_REQUEST);
      assertTrue(m.contains("rank 5"), m);
    }
    try (RawClient r = welcomed()) {
      ByteBuffer f = Protocol.encodeOpenStream(StreamRequest.builder().build());
      f.put(Protocol.FRAME_HEADER + 44, (byte) 7); // shuffle mode 7
      r.send(f);
      r.expectErrorThenEof(ErrorCode.BAD_REQUEST);
    }
    try (RawClient r = welcomed()) {
      ByteBuffer f = Protocol.encodeOpenStream(StreamRequest.builder().build());
      f.putInt(Protocol.FRAME_HEADER + 24, 0); // batch size 0
      r.send(f);
      r.expectErrorThenEof(ErrorCode.BAD_REQUEST);
    }
    try (RawClient r = welcomed()) {
      r.send(Protocol.encodeOpenStream(StreamRequest.builder().columns(List.of("id", "nope")).build()));
      String m = r.expectErrorThenEof(ErrorCode.BAD_REQUEST);
      assertTrue(m.contains("nope"), m);
    }
  }

  @Test
  void wrongStreamIdsAndSlots() throws Exception {
    try (RawClient r = welcomed()) {
      r.send(new Protocol.Next(99, 0).encode());
      r.expectErrorThenEof(ErrorCode.UNKNOWN_STREAM);
    }
    try (RawClient r = welcomed()) {
      int sid = r.open(StreamRequest.builder().batchSize(50).build());
      r.send(new Protocol.Next(sid + 1, 0).encode());
      r.expectErrorThenEof(ErrorCode.UNKNOWN_STREAM);
    }
    try (RawClient r = welcomed()) { // double release
      int sid = r.open(StreamRequest.builder().batchSize(50).build());
      Protocol.BatchReply b = r.next(sid);
      r.send(new Protocol.SlotRef(b.slot(), b.generation()).encode(Protocol.RELEASE));
      r.send(new Protocol.SlotRef(b.slot(), b.generation()).encode(Protocol.RELEASE));
      String m = r.expectErrorThenEof(ErrorCode.BAD_SLOT);
      assertTrue(m.contains("released twice"), m);
    }
    try (RawClient r = welcomed()) { // a slot never received, and one with a stale generation
      int sid = r.open(StreamRequest.builder().batchSize(50).build());
      Protocol.BatchReply b = r.next(sid);
      r.send(new Protocol.SlotRef(b.slot(), b.generation() + 2).encode(Protocol.RELEASE));
      r.expectErrorThenEof(ErrorCode.BAD_SLOT);
    }
    try (RawClient r = welcomed()) {
      r.send(new Protocol.SlotRef(-1, 0).encode(Protocol.RELEASE));
      r.expectErrorThenEof(ErrorCode.BAD_SLOT);
    }
    try (RawClient r = welcomed()) {
      r.send(new Protocol.SlotRef(3, 2).encode(Protocol.ADOPT));
      r.expectErrorThenEof(ErrorCode.BAD_SLOT);
    }
  }

  @Test
  void tooManyPipelinedRequestsOrStreams() throws Exception {
    try (RawClient r = welcomed()) {
      int sid = r.open(StreamRequest.builder().batchSize(10).maxInFlight(1).prefetch(0).build());
      ByteBuffer many = ByteBuffer.allocate(200 * 16).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < 200; i++) {
        many.put(new Protocol.Next(sid, 60_000).encode());
      }
      r.send(many.flip());
      // the first NEXT may get a batch; the second waits for a release that never comes; the queue overflows
      Protocol.Frame f = r.read();
      if (f.type() == Protocol.BATCH) {
        r.expectErrorThenEof(ErrorCode.RESOURCE_EXHAUSTED);
      } else {
        assertEquals(ErrorCode.RESOURCE_EXHAUSTED, Protocol.ErrorReply.decode(f.body()).code());
      }
    }
    // a server whose ring has room for more streams than a connection may open
    try (LoaderServer big = LoaderServer.start(ds, smallRing().slots(80).slotSize(4096).build());
        RawClient r = new RawClient(big.socketPath())) {
      r.hello(null);
      for (int i = 0; i < Protocol.MAX_STREAMS_PER_CONNECTION; i++) {
        r.open(StreamRequest.builder().maxInFlight(1).prefetch(0).batchSize(10).build());
      }
      r.send(Protocol.encodeOpenStream(StreamRequest.builder().maxInFlight(1).prefetch(0).build()));
      String m = r.expectErrorThenEof(ErrorCode.RESOURCE_EXHAUSTED);
      assertTrue(m.contains("open streams"), m);
      await("reservations back", 5000, () -> big.stats().slotsReserved() == 0 && big.stats().slotsInUse() == 0);
    }
  }

  @Test
  void handoffAndAdopt() throws Exception {
    try (RawClient worker = welcomed(); RawClient trainer = welcomed()) {
      int sid = worker.open(StreamRequest.builder().batchSize(50).maxInFlight(2).build());
      Protocol.BatchReply b = worker.next(sid);
      Protocol.BatchReply b2 = worker.next(sid);
      worker.send(new Protocol.SlotRef(b.slot(), b.generation()).encode(Protocol.HANDOFF));
      worker.send(new Protocol.SlotRef(b2.slot(), b2.generation()).encode(Protocol.HANDOFF));
      trainer.send(new Protocol.SlotRef(b.slot(), b.generation()).encode(Protocol.ADOPT));
      Protocol.Frame f = trainer.read();
      assertEquals(Protocol.ADOPTED, f.type(), RawClient.describe(f));
      assertEquals(b.slot(), Protocol.SlotRef.decode(f.body(), "ADOPTED").slot());
      // the worker goes away: the adopted slot stays leased to the trainer
      worker.send(new Protocol.Out(Protocol.BYE, 0).frame());
      assertEquals(null, worker.read());
      // b2 was never adopted: reclaimed after the handoff timeout (300 ms here); b stays
      await("unadopted handoff reclaimed", 5000, () -> server.stats().handedOff() == 0);
      assertEquals(1, server.stats().slotsInUse());
      trainer.send(new Protocol.SlotRef(b.slot(), b.generation()).encode(Protocol.RELEASE));
      await("adopted slot released", 5000, () -> server.stats().slotsInUse() == 0);
      // adopting twice, or after expiry, fails
      trainer.send(new Protocol.SlotRef(b2.slot(), b2.generation()).encode(Protocol.ADOPT));
      trainer.expectErrorThenEof(ErrorCode.BAD_SLOT);
    }
  }

  @Test
  void pipelinedAdoptsAreAnsweredInOrderWhileOneWaitsForItsHandoff() throws Exception {
    // A handed-off slot's ADOPT is answered on the connection's reader thread, but only when
    // nothing is queued before it: here the first ADOPT waits for its HANDOFF in the responder,
    // so the second (whose slot is handed off already) must not overtake it.
    try (RawClient worker = welcomed(); RawClient trainer = welcomed()) {
      int sid = worker.open(StreamRequest.builder().batchSize(50).maxInFlight(3).build());
      Protocol.BatchReply a = worker.next(sid);
      Protocol.BatchReply b = worker.next(sid);
      Protocol.BatchReply c = worker.next(sid);
      // (this server's handoff timeout is 300 ms: keep the waits short)
      worker.send(new Protocol.SlotRef(b.slot(), b.generation()).encode(Protocol.HANDOFF));
      await("handoff arrived", 5000, () -> server.stats().handedOff() == 1);
      trainer.send(new Protocol.SlotRef(a.slot(), a.generation()).encode(Protocol.ADOPT));
      trainer.send(new Protocol.SlotRef(b.slot(), b.generation()).encode(Protocol.ADOPT));
      Thread.sleep(50);
      worker.send(new Protocol.SlotRef(a.slot(), a.generation()).encode(Protocol.HANDOFF));
      for (Protocol.BatchReply want : List.of(a, b)) {
        Protocol.Frame f = trainer.read();
        assertEquals(Protocol.ADOPTED, f.type(), RawClient.describe(f));
        assertEquals(want.slot(), Protocol.SlotRef.decode(f.body(), "ADOPTED").slot());
      }
      // with nothing queued, an ADOPT of a handed-off slot is answered at once (reader thread)
      worker.send(new Protocol.SlotRef(c.slot(), c.generation()).encode(Protocol.HANDOFF));
      await("handoff arrived", 5000, () -> server.stats().handedOff() == 1);
      trainer.send(new Protocol.SlotRef(c.slot(), c.generation()).encode(Protocol.ADOPT));
      Protocol.Frame f = trainer.read();
      assertEquals(Protocol.ADOPTED, f.type(), RawClient.describe(f));
      assertEquals(c.slot(), Protocol.SlotRef.decode(f.body(), "ADOPTED").slot());
      assertEquals(0, server.stats().handedOff());
      // adopted slots are the trainer's: they outlive the worker, releasing them frees them
      worker.send(new Protocol.Out(Protocol.BYE, 0).frame());
      assertNull(worker.read());
      for (Protocol.BatchReply r : List.of(a, b, c)) {
        trainer.send(new Protocol.SlotRef(r.slot(), r.generation()).encode(Protocol.RELEASE));
      }
      await("adopted slots released", 5000, () -> server.stats().slotsInUse() == 0);
      trainer.send(new Protocol.SlotRef(c.slot(), c.generation()).encode(Protocol.ADOPT));
      trainer.expectErrorThenEof(ErrorCode.BAD_SLOT);
    }
  }

  @Test
  void adoptThatOvertakesItsHandoffWaitsForIt() throws Exception {
    try (RawClient worker = welcomed(); RawClient trainer = welcomed()) {
      int sid = worker.open(StreamRequest.builder().batchSize(50).maxInFlight(2).build());
      Protocol.BatchReply b = worker.next(sid);
      // the trainer's ADOPT arrives first (the handle travelled faster than the worker's HANDOFF)
      trainer.send(new Protocol.SlotRef(b.slot(), b.generation()).encode(Protocol.ADOPT));
      Thread.sleep(200);
      worker.send(new Protocol.SlotRef(b.slot(), b.generation()).encode(Protocol.HANDOFF));
      Protocol.Frame f = trainer.read();
      assertEquals(Protocol.ADOPTED, f.type(), RawClient.describe(f));
      // a second ADOPT of the adopted slot fails (at once: the slot was adopted)
      trainer.send(new Protocol.SlotRef(b.slot(), b.generation()).encode(Protocol.ADOPT));
      trainer.expectErrorThenEof(ErrorCode.BAD_SLOT);
    }
  }

  @Test
  void aClosedStreamKeepsOnlyItsHandedOffSlotsReserved() throws Exception {
    try (LoaderServer srv = LoaderServer.start(ds, smallRing().handoffTimeout(Duration.ofSeconds(60)).build());
        RawClient worker = new RawClient(srv.socketPath())) {
      worker.hello(null);
      int sid = worker.open(StreamRequest.builder().batchSize(50).maxInFlight(3).prefetch(2).build());
      assertEquals(5, srv.stats().slotsReserved());
      Protocol.BatchReply b = worker.next(sid);
      worker.send(new Protocol.SlotRef(b.slot(), b.generation()).encode(Protocol.HANDOFF));
      // the worker exits (as after a `break` in the training loop): the handle is never adopted
      worker.send(new Protocol.Out(Protocol.BYE, 0).frame());
      assertNull(worker.read());
      await("reservation shrunk to the handed-off slot", 5000,
          () -> srv.stats().slotsReserved() == 1 && srv.stats().handedOff() == 1);
    }
  }

  @Test
  void manyBadClientsConcurrentlyWhileAGoodOneReads() throws Exception {
    Thread[] bad = new Thread[4];
    for (int t = 0; t < bad.length; t++) {
      int seed = t;
      bad[t] = new Thread(() -> {
        Random rnd = new Random(seed);
        for (int i = 0; i < 50; i++) {
          try (RawClient r = raw()) {
            if (rnd.nextBoolean()) {
              r.hello(TOKEN);
            }
            byte[] junk = new byte[8 + rnd.nextInt(64)];
            rnd.nextBytes(junk);
            r.sendRaw(junk);
            r.read();
          } catch (Exception | AssertionError ignored) {
            // whatever the reply, the server must survive
          }
        }
      });
      bad[t].start();
    }
    try (BufferAllocator a = new RootAllocator(); WeftLoaderClient c = WeftLoaderClient.connect(server.socketPath(), TOKEN, a)) {
      for (int epoch = 0; epoch < 3; epoch++) {
        assertEquals(10, readAll(c, StreamRequest.builder().batchSize(50).epoch(epoch).build()).size());
      }
    }
    for (Thread t : bad) {
      t.join();
    }
  }
}

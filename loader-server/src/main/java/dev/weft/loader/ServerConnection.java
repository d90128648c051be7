package dev.weft.loader;

import dev.weft.loader.Protocol.ErrorCode;
import dev.weft.loader.Protocol.Frame;
import dev.weft.loader.Protocol.ProtocolException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One client's control connection. Two threads: the reader reads every frame as it arrives and
 * handles HELLO, RELEASE and HANDOFF itself (so a release is seen even while a NEXT waits for
 * it); the responder handles the other requests one at a time, in order, so replies come in
 * request order. An ERROR reply is followed by closing the connection; closing (for any reason:
 * EOF, error, BYE, server shutdown) closes the streams and returns every slot still leased to the
 * connection.
 */
final class ServerConnection {
  private static final Frame POISON = new Frame(-1, ByteBuffer.allocate(0));
  /** How long an ADOPT waits for a HANDOFF that its worker sent but that has not arrived yet. */
  static final long ADOPT_WAIT_NANOS = 5_000_000_000L;

  private final long id;
  private final LoaderServer server;
  private final SocketChannel channel;
  private final ReentrantLock writeLock = new ReentrantLock();
  private final ArrayBlockingQueue<Frame> requests = new ArrayBlockingQueue<>(Protocol.MAX_PIPELINED_REQUESTS + 1);
  private final Map<Integer, ServerStream> streams = new ConcurrentHashMap<>();
  private final Map<Integer, Long> leases = new HashMap<>(); // guarded by this
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicBoolean failed = new AtomicBoolean();
  /** Requests queued for, or being handled by, the responder. */
  private final java.util.concurrent.atomic.AtomicInteger busy = new java.util.concurrent.atomic.AtomicInteger();
  private volatile boolean welcomed;
  private int nextStreamId = 1;
  private long clientPid;

  ServerConnection(long id, LoaderServer server, SocketChannel channel) {
    this.id = id;
    this.server = server;
    this.channel = channel;
  }

  void start() {
    Thread r = new Thread(this::readLoop, "weft-conn-" + id + "-reader");
    Thread w = new Thread(this::respondLoop, "weft-conn-" + id + "-responder");
    r.setDaemon(true);
    w.setDaemon(true);
    w.start();
    r.start();
  }

  long id() {
    return id;
  }

  synchronized int leasedSlots() {
    return leases.size();
  }

  int streamCount() {
    return streams.size();
  }

  // --- reader thread ---

  private void readLoop() {
    ByteBuffer header = ByteBuffer.allocate(Protocol.FRAME_HEADER).order(ByteOrder.LITTLE_ENDIAN);
    try {
      while (!closed.get()) {
        Frame f = Protocol.readFrame(channel, header, Protocol.MAX_REQUEST_BODY);
        if (f == null) {
          break; // EOF: the client went away
        }
        if (!welcomed && f.type() != Protocol.HELLO) {
          throw new ProtocolException(ErrorCode.OUT_OF_ORDER, Protocol.typeName(f.type()) + " before HELLO");
        }
        switch (f.type()) {
          case Protocol.HELLO -> hello(f.body());
          case Protocol.RELEASE -> release(Protocol.SlotRef.decode(f.body(), "RELEASE"));
          case Protocol.HANDOFF -> handoff(Protocol.SlotRef.decode(f.body(), "HANDOFF"));
          case Protocol.NEXT -> {
            if (!nextFast(f)) {
              enqueue(f);
            }
          }
          case Protocol.ADOPT -> {
            if (!adoptFast(f)) {
              enqueue(f);
            }
          }
          case Protocol.OPEN_STREAM, Protocol.CLOSE_STREAM, Protocol.BYE -> enqueue(f);
          default -> throw new ProtocolException(ErrorCode.UNKNOWN_TYPE, "unknown request type 0x"
              + Integer.toHexString(f.type()));
        }
      }
    } catch (ProtocolException e) {
      fail(e.code, e.getMessage());
    } catch (IOException e) {
      // the client went away mid-frame, or the channel was closed by close()
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      fail(ErrorCode.INTERNAL, "internal error: " + e);
    } finally {
      close();
    }
  }

  private void enqueue(Frame f) throws ProtocolException {
    busy.incrementAndGet();
    if (!requests.offer(f)) {
      throw new ProtocolException(ErrorCode.RESOURCE_EXHAUSTED, "more than "
          + Protocol.MAX_PIPELINED_REQUESTS + " requests pipelined without reading the replies");
    }
  }

  /**
   * Answers a NEXT on the reader thread when the responder is idle (so replies stay in order) and
   * the batch is ready: saves a thread hand-off per batch. False: leave it to the responder.
   */
  private boolean nextFast(Frame f) throws IOException, InterruptedException {
    if (busy.get() != 0) {
      return false;
    }
    Protocol.Next n = Protocol.Next.decode(f.body().duplicate().order(ByteOrder.LITTLE_ENDIAN));
    ServerStream s = streams.get(n.streamId());
    if (s == null) {
      return false;
    }
    ServerStream.Outcome o = s.tryNext();
    if (o == null) {
      return false;
    }
    respond(s, o);
    return true;
  }

  /**
   * Answers an ADOPT on the reader thread when the responder is idle (so replies stay in order)
   * and the slot is already handed off: the training process waits for every ADOPTED, so this
   * saves a thread hand-off on its critical path. False: leave it to the responder, which waits
   * for a HANDOFF still on its way or fails.
   */
  private boolean adoptFast(Frame f) throws IOException {
    if (busy.get() != 0) {
      return false;
    }
    Protocol.SlotRef r = Protocol.SlotRef.decode(f.body().duplicate().order(ByteOrder.LITTLE_ENDIAN), "ADOPT");
    if (!server.pool().tryAdopt(r.slot(), r.generation())) {
      return false;
    }
    adopted(r);
    return true;
  }

  private void hello(ByteBuffer body) throws IOException {
    if (welcomed) {
      throw new ProtocolException(ErrorCode.OUT_OF_ORDER, "a second HELLO");
    }
    Protocol.Hello h = Protocol.Hello.decode(body);
    if (h.version() != Protocol.VERSION) {
      throw new ProtocolException(ErrorCode.VERSION, "client speaks protocol version " + h.version()
          + ", this server speaks " + Protocol.VERSION);
    }
    String token = server.options().token();
    if (token != null && (h.token() == null || !MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8),
        h.token().getBytes(StandardCharsets.UTF_8)))) {
      throw new ProtocolException(ErrorCode.AUTH, h.token() == null ? "this server requires a token"
          : "wrong token");
    }
    clientPid = h.clientPid();
    send(server.welcome());
    welcomed = true;
  }

  private void release(Protocol.SlotRef r) throws ProtocolException {
    if (!unlease(r.slot(), r.generation())) {
      throw new ProtocolException(ErrorCode.BAD_SLOT, "RELEASE of slot " + Integer.toUnsignedLong(r.slot())
          + " generation " + r.generation() + ", which this connection does not hold (released twice, never"
          + " received, handed off, or a stale generation)");
    }
    server.returned(r.slot());
  }

  private void handoff(Protocol.SlotRef r) throws ProtocolException {
    if (!unlease(r.slot(), r.generation())) {
      throw new ProtocolException(ErrorCode.BAD_SLOT, "HANDOFF of slot " + Integer.toUnsignedLong(r.slot())
          + " generation " + r.generation() + ", which this connection does not hold");
    }
    server.pool().handoff(r.slot(), r.generation(), System.nanoTime() + server.options().handoffTimeout().toNanos());
  }

  // --- leases ---

  /** Records that the client holds {@code slot}; false if the connection is closing. */
  synchronized boolean lease(int slot, long generation) {
    if (closed.get()) {
      return false;
    }
    leases.put(slot, generation);
    return true;
  }

  private synchronized boolean unlease(int slot, long generation) {
    Long g = leases.get(slot);
    if (g == null || g != generation) {
      return false;
    }
    leases.remove(slot);
    return true;
  }

  // --- responder thread ---

  private void respondLoop() {
    try {
      while (true) {
        Frame f = requests.take();
        if (f == POISON || closed.get()) {
          return;
        }
        try {
          respondTo(f);
        } finally {
          busy.decrementAndGet();
        }
        if (f.type() == Protocol.BYE) {
          return;
        }
      }
    } catch (ProtocolException e) {
      fail(e.code, e.getMessage());
    } catch (IOException e) {
      close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
    } catch (RuntimeException e) {
      fail(ErrorCode.INTERNAL, "internal error: " + e);
    }
  }

  private void respondTo(Frame f) throws IOException, InterruptedException {
    switch (f.type()) {
      case Protocol.OPEN_STREAM -> openStream(f.body());
      case Protocol.NEXT -> next(Protocol.Next.decode(f.body()));
      case Protocol.CLOSE_STREAM -> {
        ServerStream s = streams.remove(Protocol.decodeStreamId(f.body(), "CLOSE_STREAM"));
        if (s != null) {
          s.close();
        }
      }
      case Protocol.ADOPT -> adopt(Protocol.SlotRef.decode(f.body(), "ADOPT"));
      case Protocol.BYE -> close();
      default -> throw new IllegalStateException("unexpected " + f.type());
    }
  }

  private void openStream(ByteBuffer body) throws IOException {
    StreamRequest req = Protocol.decodeOpenStream(body);
    if (streams.size() >= Protocol.MAX_STREAMS_PER_CONNECTION) {
      throw new ProtocolException(ErrorCode.RESOURCE_EXHAUSTED, "more than " + Protocol.MAX_STREAMS_PER_CONNECTION
          + " open streams on one connection; close some (CLOSE_STREAM)");
    }
    int sid = nextStreamId++;
    ServerStream s = server.openStream(sid, this, req);
    streams.put(sid, s);
    if (closed.get()) {
      s.close();
      return;
    }
    s.start();
    send(new Protocol.StreamOpened(sid, s.maxInFlight(), s.prefetch(), s.plan().batchesPerRank(), s.numBatches(),
        server.schemaIpc(req.columns())).encode());
  }

  private void next(Protocol.Next n) throws IOException, InterruptedException {
    ServerStream s = streams.get(n.streamId());
    if (s == null) {
      throw new ProtocolException(ErrorCode.UNKNOWN_STREAM, "NEXT for stream " + Integer.toUnsignedLong(n.streamId())
          + ", which is not open on this connection");
    }
    long ms = n.timeoutMs() == 0 ? server.options().nextTimeout().toMillis()
        : Math.min(Integer.toUnsignedLong(n.timeoutMs()), Protocol.MAX_NEXT_TIMEOUT_MS);
    respond(s, s.next(ServerStream.nanos(ms)));
  }

  private void respond(ServerStream s, ServerStream.Outcome o) throws IOException {
    if (o instanceof ServerStream.Delivered d) {
      ServerStream.Pending p = d.batch();
      boolean inline = p.slot < 0;
      long offset = inline ? 0 : RingLayout.payloadOffset(p.slot, server.ring().slotSize());
      Protocol.Out out = new Protocol.BatchReply(s.id(), inline ? Protocol.INLINE_SLOT : p.slot, p.generation, offset,
          p.length, p.tag.epoch(), p.tag.batchIndex(), p.tag.firstPosition(), p.rows).header();
      if (inline) {
        out.bytes(p.inline);
      }
      server.counters().delivered(p.rows, p.length, inline);
      send(out.frame());
    } else if (o instanceof ServerStream.Ended e) {
      send(new Protocol.End(s.id(), e.delivered()).encode());
    } else if (o instanceof ServerStream.TimedOut t) {
      send(new Protocol.Timeout(s.id(), t.held(), s.maxInFlight(), t.reason()).encode());
    } else if (o instanceof ServerStream.Failed f) {
      throw new ProtocolException(f.code(), f.message());
    }
    // Gone: the connection is closing
  }

  private void adopt(Protocol.SlotRef r) throws IOException, InterruptedException {
    if (!server.pool().adopt(r.slot(), r.generation(), ADOPT_WAIT_NANOS)) {
      throw new ProtocolException(ErrorCode.BAD_SLOT, "ADOPT of slot " + Integer.toUnsignedLong(r.slot())
          + " generation " + r.generation() + ", which is not handed off (never, already adopted, or its handoff"
          + " timed out)");
    }
    adopted(r);
  }

  /** Leases an adopted slot to this connection and answers ADOPTED (or returns it if closing). */
  private void adopted(Protocol.SlotRef r) throws IOException {
    if (!lease(r.slot(), r.generation())) {
      server.returned(r.slot());
      return;
    }
    send(r.encode(Protocol.ADOPTED));
  }

  // --- sending, failing, closing ---

  private void send(ByteBuffer frame) throws IOException {
    writeLock.lock();
    try {
      Protocol.writeFully(channel, frame);
    } finally {
      writeLock.unlock();
    }
  }

  /** Sends an ERROR (once) and closes the connection. */
  void fail(ErrorCode code, String message) {
    if (failed.compareAndSet(false, true) && !closed.get()) {
      server.counters().error();
      try {
        send(new Protocol.ErrorReply(code, message).encode());
      } catch (IOException | RuntimeException ignored) {
        // the client is gone already
      }
    }
    close();
  }

  /** Closes the socket and the streams, and returns every leased slot. Idempotent, any thread. */
  void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      channel.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    requests.clear();
    requests.offer(POISON);
    for (ServerStream s : streams.values()) {
      s.close();
    }
    List<Integer> held;
    synchronized (this) {
      held = new ArrayList<>(leases.keySet());
      leases.clear();
    }
    for (int slot : held) {
      server.returned(slot);
    }
    server.connectionClosed(this);
  }

  @Override
  public String toString() {
    return "connection " + id + (clientPid > 0 ? " (pid " + clientPid + ")" : "");
  }
}

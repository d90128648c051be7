package dev.weft.loader;

import dev.weft.loader.Protocol.ErrorCode;
import dev.weft.loader.Protocol.Frame;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;
import org.apache.arrow.flatbuf.Message;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.ForeignAllocation;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ReadChannel;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.ByteArrayReadableSeekableByteChannel;

/**
 * A Java client of a {@link LoaderServer}'s shared-memory transport: batches arrive as Arrow
 * {@link VectorSchemaRoot}s whose buffers are views of the server's ring slots (no copy).
 *
 * <pre>{@code
 * try (BufferAllocator alloc = new RootAllocator();
 *      WeftLoaderClient client = WeftLoaderClient.connect(socketPath, alloc);
 *      WeftLoaderClient.Stream s = client.openStream(StreamRequest.builder().batchSize(256)
 *          .shuffle(ShuffleOptions.global(42)).epoch(epoch).build())) {
 *   for (WeftBatch next = s.next(); next != null; next = s.next()) {
 *     try (WeftBatch b = next) {
 *       train(b.root());            // zero-copy view of the slot
 *       checkpoint(b.tag());         // resume at b.tag().batchIndex() + 1
 *     }                              // closing the batch returns the slot to the server
 *   }
 * }
 * }</pre>
 *
 * <p>Each batch's buffers are wrapped with {@link BufferAllocator#wrapForeignAllocation}; when the
 * last of them is released (the batch closed, including buffers transferred out of it), the
 * client sends RELEASE for its slot, from whichever thread released it. Requests with replies
 * ({@link #openStream}, {@link Stream#next()}) are serialized by the client; releases may come
 * from any thread at any time. A stream lets the client hold at most its {@code maxInFlight}
 * batches; {@link Stream#next()} waits (up to the server's timeout) for one to be closed.
 *
 * <p>The mappings of the ring stay until the client is closed and every batch is released, so
 * a batch never points at unmapped memory; but close batches before their client: after the
 * client closes, the server reuses their slots.
 */
public final class WeftLoaderClient implements AutoCloseable {
  private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final int MAX_REPLY_BODY = Integer.MAX_VALUE - 64;

  private final SocketChannel channel;
  private final BufferAllocator allocator;
  private final Protocol.Welcome welcome;
  private final Schema schema;
  private final DatasetFingerprint fingerprint;
  private final Object requestLock = new Object();
  private final Object writeLock = new Object();
  private final ByteBuffer header = ByteBuffer.allocate(Protocol.FRAME_HEADER).order(ByteOrder.LITTLE_ENDIAN);
  // mapping state, guarded by mapLock
  private final Object mapLock = new Object();
  private FileChannel segment;
  private final MappedByteBuffer[] slots;
  private int outstanding;
  private boolean closed;
  private boolean unmapped;
  private volatile IOException broken;

  private WeftLoaderClient(SocketChannel channel, BufferAllocator allocator, Protocol.Welcome welcome) throws IOException {
    this.channel = channel;
    this.allocator = allocator;
    this.welcome = welcome;
    this.schema = readSchema(welcome.schemaIpc());
    this.fingerprint = DatasetFingerprint.ofHex(HexFormat.of().formatHex(welcome.fingerprint()));
    this.slots = new MappedByteBuffer[welcome.ring().slotCount()];
  }

  /** Connects to a server without a token. */
  public static WeftLoaderClient connect(Path socket, BufferAllocator allocator) throws IOException {
    return connect(socket, null, allocator);
  }

  /**
   * Connects and says HELLO.
   *
   * @param socket the server's control socket
   * @param token the server's token, or null
   * @param allocator accounts the batches' (foreign, shared-memory) buffers; owned by the caller
   * @throws ServerError if the server refuses (wrong token, version, too many clients)
   */
  public static WeftLoaderClient connect(Path socket, String token, BufferAllocator allocator) throws IOException {
    Objects.requireNonNull(allocator, "allocator");
    SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      ch.connect(UnixDomainSocketAddress.of(socket));
      Protocol.writeFully(ch, new Protocol.Hello(Protocol.VERSION, ProcessHandle.current().pid(), token).encode());
      ByteBuffer hdr = ByteBuffer.allocate(Protocol.FRAME_HEADER).order(ByteOrder.LITTLE_ENDIAN);
      Frame f = Protocol.readFrame(ch, hdr, MAX_REPLY_BODY);
      if (f == null) {
        throw new IOException("the server at " + socket + " closed the connection during HELLO");
      }
      if (f.type() == Protocol.ERROR) {
        throw ServerError.of(Protocol.ErrorReply.decode(f.body()));
      }
      if (f.type() != Protocol.WELCOME) {
        throw new IOException("expected WELCOME, got " + Protocol.typeName(f.type()));
      }
      Protocol.Welcome w = Protocol.Welcome.decode(f.body());
      if (w.version() != Protocol.VERSION) {
        throw new IOException("server speaks protocol version " + w.version() + ", this client " + Protocol.VERSION);
      }
      WeftLoaderClient c = new WeftLoaderClient(ch, allocator, w);
      c.segment = FileChannel.open(Path.of(w.ring().path()), StandardOpenOption.READ, StandardOpenOption.WRITE);
      return c;
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  private static Schema readSchema(byte[] ipc) throws IOException {
    return MessageSerializer.deserializeSchema(new ReadChannel(new ByteArrayReadableSeekableByteChannel(ipc)));
  }

  /** The dataset's full schema. */
  public Schema schema() {
    return schema;
  }

  /** Rows of the dataset. */
  public long numRows() {
    return welcome.numRows();
  }

  /** The dataset's fingerprint (store it with checkpoints). */
  public DatasetFingerprint fingerprint() {
    return fingerprint;
  }

  /** The server's ring segment file. */
  public Path segmentPath() {
    return Path.of(welcome.ring().path());
  }

  /**
   * Opens a stream.
   *
   * @throws ServerError if the server refuses it (bad arguments, unknown column, fingerprint
   *     mismatch, ring exhausted); the connection is closed then
   */
  public Stream openStream(StreamRequest request) throws IOException {
    Frame f = call(Protocol.encodeOpenStream(request), Protocol.STREAM_OPENED);
    Protocol.StreamOpened o = Protocol.StreamOpened.decode(f.body());
    return new Stream(o, readSchema(o.schemaIpc()), request);
  }

  /** Sends a request and reads its reply (which must be one of {@code expected}, or ERROR). */
  private Frame call(ByteBuffer request, int... expected) throws IOException {
    synchronized (requestLock) {
      checkOpen();
      send(request);
      Frame f;
      try {
        f = Protocol.readFrame(channel, header, MAX_REPLY_BODY);
      } catch (IOException e) {
        throw broken(e);
      }
      if (f == null) {
        throw broken(new IOException("the server closed the connection"));
      }
      if (f.type() == Protocol.ERROR) {
        ServerError e = ServerError.of(Protocol.ErrorReply.decode(f.body()));
        broken(e);
        close();
        throw e;
      }
      for (int t : expected) {
        if (f.type() == t) {
          return f;
        }
      }
      throw broken(new IOException("unexpected reply " + Protocol.typeName(f.type())));
    }
  }

  private void send(ByteBuffer frame) throws IOException {
    synchronized (writeLock) {
      checkOpen();
      try {
        Protocol.writeFully(channel, frame);
      } catch (IOException e) {
        throw broken(e);
      }
    }
  }

  private IOException broken(IOException e) {
    if (broken == null) {
      broken = e;
    }
    return e;
  }

  private void checkOpen() throws IOException {
    IOException b = broken;
    if (b != null) {
      throw new IOException("the connection to the loader server is broken: " + b.getMessage(), b);
    }
    synchronized (mapLock) {
      if (closed) {
        throw new IOException("the client is closed");
      }
    }
  }

  /** Maps slot {@code s} on first use. */
  private MappedByteBuffer slot(int s) throws IOException {
    synchronized (mapLock) {
      if (s < 0 || s >= slots.length) {
        throw new IOException("the server named slot " + s + " of a ring of " + slots.length);
      }
      if (slots[s] == null) {
        Protocol.RingInfo r = welcome.ring();
        MappedByteBuffer m = segment.map(FileChannel.MapMode.READ_WRITE, r.firstSlotOffset() + s * r.slotSize(),
            r.slotSize());
        m.order(ByteOrder.LITTLE_ENDIAN);
        slots[s] = m;
      }
      return slots[s];
    }
  }

  /** Whether {@code address} lies in a mapped slot of the ring (for zero-copy checks). */
  boolean inRing(long address) {
    synchronized (mapLock) {
      for (MappedByteBuffer m : slots) {
        if (m != null) {
          long a = MemoryUtil.getByteBufferAddress(m);
          if (address >= a && address < a + m.capacity()) {
            return true;
          }
        }
      }
      return false;
    }
  }

  /** The buffers of one slot's batch, accounted to the client's allocator. */
  private final class SlotAllocation extends ForeignAllocation {
    private final int slot;
    private final long generation;

    SlotAllocation(long size, long address, int slot, long generation) {
      super(size, address);
      this.slot = slot;
      this.generation = generation;
    }

    @Override
    protected void release0() {
      released(slot, generation);
    }
  }

  private void released(int slot, long generation) {
    boolean open;
    synchronized (mapLock) {
      outstanding--;
      open = !closed;
    }
    if (open && broken == null) {
      try {
        send(new Protocol.SlotRef(slot, generation).encode(Protocol.RELEASE));
      } catch (IOException e) {
        // the connection is gone: the server reclaims the slot when it sees EOF
      }
    }
    maybeUnmap();
  }

  private WeftBatch receive(Protocol.BatchReply r, ByteBuffer inline, Schema streamSchema, Stream stream)
      throws IOException {
    BatchTag tag = new BatchTag(fingerprint, r.epoch(), r.batchIndex(), r.firstPosition());
    if (r.length() < 8 || r.length() > Integer.MAX_VALUE) {
      throw broken(new IOException("bad message length " + r.length() + " in BATCH"));
    }
    ArrowBuf buf;
    int slot = r.slot();
    if (slot == Protocol.INLINE_SLOT) {
      if (inline.remaining() != r.length()) {
        throw broken(new IOException("inline BATCH carries " + inline.remaining() + " bytes, announced " + r.length()));
      }
      buf = allocator.buffer(r.length());
      buf.setBytes(0, inline);
      slot = -1;
    } else {
      MappedByteBuffer m = slot(slot);
      long gen = (long) LONGS.getAcquire(m, RingLayout.GENERATION_OFFSET);
      long start = r.offset() - welcome.ring().firstSlotOffset() - (long) slot * welcome.ring().slotSize();
      if (gen != r.generation() || start != RingLayout.SLOT_HEADER_LENGTH
          || r.length() > welcome.ring().slotSize() - start) {
        throw broken(new IOException("slot " + slot + " holds generation " + gen + ", the server announced "
            + r.generation() + " at offset " + r.offset() + " (bug or foreign writer)"));
      }
      synchronized (mapLock) {
        outstanding++;
      }
      buf = allocator.wrapForeignAllocation(new SlotAllocation(r.length(),
          MemoryUtil.getByteBufferAddress(m) + start, slot, r.generation()));
    }
    try {
      VectorSchemaRoot root = load(buf, streamSchema);
      return new WeftBatch(root, tag, slot, slot < 0 ? 0 : r.generation(), stream.resumePosition(r.batchIndex()));
    } finally {
      buf.close(); // the root holds its own references now
    }
  }

  /** Loads one encapsulated Arrow IPC record-batch message (buffers stay views of {@code buf}). */
  private VectorSchemaRoot load(ArrowBuf buf, Schema streamSchema) throws IOException {
    if (buf.getInt(0) != MessageSerializer.IPC_CONTINUATION_TOKEN) {
      throw new IOException("not an Arrow IPC message (no continuation marker)");
    }
    int metaLen = buf.getInt(4);
    if (metaLen <= 0 || 8L + metaLen > buf.capacity()) {
      throw new IOException("bad Arrow IPC metadata length " + metaLen);
    }
    ByteBuffer meta = buf.nioBuffer(8, metaLen);
    Message msg = Message.getRootAsMessage(meta.order(ByteOrder.LITTLE_ENDIAN));
    if (msg.headerType() != MessageHeader.RecordBatch) {
      throw new IOException("expected an Arrow record batch message, got header type " + msg.headerType());
    }
    long bodyLen = msg.bodyLength();
    if (bodyLen < 0 || 8L + metaLen + bodyLen > buf.capacity()) {
      throw new IOException("Arrow IPC body of " + bodyLen + " bytes overruns the message");
    }
    ArrowBuf body = buf.slice(8 + metaLen, bodyLen);
    // deserializeRecordBatch releases one reference of the body on success: give it its own
    body.getReferenceManager().retain();
    ArrowRecordBatch batch;
    try {
      batch = MessageSerializer.deserializeRecordBatch(msg, body);
    } catch (IOException | RuntimeException e) {
      body.getReferenceManager().release();
      throw e;
    }
    VectorSchemaRoot root = VectorSchemaRoot.create(streamSchema, allocator);
    try (ArrowRecordBatch arb = batch) {
      new VectorLoader(root).load(arb);
      return root;
    } catch (RuntimeException e) {
      root.close();
      throw e;
    }
  }

  private void maybeUnmap() {
    synchronized (mapLock) {
      if (!closed || outstanding > 0 || unmapped) {
        return;
      }
      unmapped = true;
      for (int i = 0; i < slots.length; i++) {
        ShmRing.unmap(slots[i]);
        slots[i] = null;
      }
      try {
        segment.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }

  /**
   * Says BYE and closes the connection (the server reclaims any slot still held). The ring's
   * mappings go once the last batch is released.
   */
  @Override
  public void close() {
    synchronized (mapLock) {
      if (closed) {
        return;
      }
    }
    if (broken == null) {
      try {
        synchronized (writeLock) {
          Protocol.writeFully(channel, new Protocol.Out(Protocol.BYE, 0).frame());
        }
      } catch (IOException | RuntimeException ignored) {
        // closing anyway
      }
    }
    synchronized (mapLock) {
      closed = true;
    }
    try {
      channel.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    maybeUnmap();
  }

  /** Closes the socket without BYE (for tests: an abrupt disconnect). */
  void abort() {
    synchronized (mapLock) {
      closed = true;
    }
    try {
      channel.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    maybeUnmap();
  }

  /**
   * One stream of batches: one worker's share of one rank's epoch. Not thread-safe; one consumer.
   */
  public final class Stream implements AutoCloseable {
    private final Protocol.StreamOpened opened;
    private final Schema schema;
    private final StreamRequest request;
    private boolean ended;
    private boolean closed;

    private Stream(Protocol.StreamOpened opened, Schema schema, StreamRequest request) {
      this.opened = opened;
      this.schema = schema;
      this.request = request;
    }

    /** The schema of the batches (the projection). */
    public Schema schema() {
      return schema;
    }

    /** The request the stream was opened with. */
    public StreamRequest request() {
      return request;
    }

    /** Batches every rank gets this epoch. */
    public long batchesPerRank() {
      return opened.batchesPerRank();
    }

    /** Batches this stream delivers (this worker's share from the start batch on). */
    public long numBatches() {
      return opened.numBatches();
    }

    /** Slots this stream may hold at once, as granted by the server. */
    public int maxInFlight() {
      return opened.maxInFlight();
    }

    /** Batches the server assembles ahead, as granted. */
    public int prefetch() {
      return opened.prefetch();
    }

    /** PROTOCOL.md section 13: where to resume once every rank consumed batch {@code j}. */
    long resumePosition(long j) {
      long consumed = (long) request.worldSize() * request.batchSize() * (j + 1);
      long rest = numRows() - request.startPosition();
      return consumed >= rest ? numRows() : request.startPosition() + consumed;
    }

    /** The next batch, or null at the end of the stream; waits up to the server's default timeout. */
    public WeftBatch next() throws IOException {
      return next(Duration.ZERO);
    }

    /**
     * The next batch, or null at the end of the stream.
     *
     * @param timeout how long the server may wait for a batch or for a slot to be released
     *     (zero: the server's default)
     * @throws NextTimeoutException if no batch was ready in time (e.g. the client holds
     *     {@link #maxInFlight()} unreleased batches); the connection stays usable
     */
    public WeftBatch next(Duration timeout) throws IOException {
      if (ended) {
        return null;
      }
      if (closed) {
        throw new IOException("the stream is closed");
      }
      long ms = Math.min(timeout.toMillis(), Protocol.MAX_NEXT_TIMEOUT_MS);
      Frame f = call(new Protocol.Next(opened.streamId(), (int) ms).encode(), Protocol.BATCH, Protocol.END,
          Protocol.TIMEOUT);
      switch (f.type()) {
        case Protocol.END -> {
          Protocol.End.decode(f.body());
          ended = true;
          return null;
        }
        case Protocol.TIMEOUT -> {
          Protocol.Timeout t = Protocol.Timeout.decode(f.body());
          throw new NextTimeoutException(t.message(), t.held());
        }
        default -> {
          Protocol.In in = new Protocol.In(f.body(), "BATCH");
          Protocol.BatchReply r = Protocol.BatchReply.decode(in);
          return receive(r, in.rest(), schema, this);
        }
      }
    }

    /** Closes the stream on the server (batches already received stay valid until closed). */
    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      if (broken == null) {
        try {
          send(Protocol.encodeStreamId(Protocol.CLOSE_STREAM, opened.streamId()));
        } catch (IOException ignored) {
          // the connection is gone: nothing to close
        }
      }
    }
  }

  /** An ERROR reply of the server; the server closed the connection after it. */
  public static class ServerError extends IOException {
    private static final long serialVersionUID = 1L;
    private final String code;

    ServerError(String code, String message) {
      super(message + " [" + code + "]");
      this.code = code;
    }

    static ServerError of(Protocol.ErrorReply r) {
      return new ServerError(r.code().name(), r.message());
    }

    /** The error code's name, e.g. {@code BAD_REQUEST} (see PROTOCOL.md). */
    public String code() {
      return code;
    }

    boolean is(ErrorCode c) {
      return code.equals(c.name());
    }
  }

  /** A NEXT that found no batch in time; the connection stays usable. */
  public static final class NextTimeoutException extends IOException {
    private static final long serialVersionUID = 1L;
    private final int held;

    NextTimeoutException(String message, int held) {
      super("no batch in time: " + message);
      this.held = held;
    }

    /** Slots of the stream the client held when the wait ended. */
    public int held() {
      return held;
    }
  }
}

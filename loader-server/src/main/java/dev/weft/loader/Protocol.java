package dev.weft.loader;

import java.io.EOFException;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The loader's control protocol, version {@value #VERSION}: constants, limits and the codec of
 * every message. {@code loader-server/PROTOCOL.md} is the reference for clients in other
 * languages and agrees with this class.
 *
 * <pre>
 * Frame   --&gt; length:u32 | type:u16 | flags:u16 (0) | body[length]      (little-endian)
 * String  --&gt; u16 byte length | UTF-8 bytes
 * </pre>
 *
 * <p>The client sends {@code HELLO} first; the server answers every request that has a reply in
 * the order the requests were sent. {@code RELEASE}, {@code HANDOFF}, {@code CLOSE_STREAM} and
 * {@code BYE} have no reply. A request the server cannot accept gets an {@code ERROR} frame,
 * after which the server closes the connection. Request bodies are at most
 * {@value #MAX_REQUEST_BODY} bytes.
 */
final class Protocol {
  private Protocol() {}

  static final int VERSION = 1;
  static final byte[] HELLO_MAGIC = "WEFTLOAD".getBytes(StandardCharsets.US_ASCII);
  static final int FRAME_HEADER = 8;

  // limits
  static final int MAX_REQUEST_BODY = 1 << 20;
  static final int MAX_TOKEN_BYTES = 1024;
  static final int MAX_STREAMS_PER_CONNECTION = 64;
  static final int MAX_PIPELINED_REQUESTS = 64;
  static final int MAX_IN_FLIGHT = 1024;
  static final int MAX_PREFETCH = 1024;
  static final int MAX_BATCH_SIZE = 1 << 20;
  static final int MAX_WORLD_SIZE = 1 << 20;
  static final int MAX_WORKERS = 1 << 16;
  static final int MAX_ERROR_MESSAGE = 1 << 16;
  static final long MAX_NEXT_TIMEOUT_MS = 3_600_000;
  static final int ALL_COLUMNS = -1; // u32 0xFFFFFFFF
  static final int INLINE_SLOT = -1; // u32 0xFFFFFFFF
  static final int DEFAULT_PREFETCH = 0xFFFF;

  // requests
  static final int HELLO = 0x01;
  static final int OPEN_STREAM = 0x02;
  static final int NEXT = 0x03;
  static final int RELEASE = 0x04;
  static final int CLOSE_STREAM = 0x05;
  static final int HANDOFF = 0x06;
  static final int ADOPT = 0x07;
  static final int BYE = 0x08;

  // replies
  static final int WELCOME = 0x81;
  static final int STREAM_OPENED = 0x82;
  static final int BATCH = 0x83;
  static final int END = 0x84;
  static final int ADOPTED = 0x85;
  static final int TIMEOUT = 0x86;
  static final int ERROR = 0xFF;

  /** The codes of {@code ERROR} replies. */
  enum ErrorCode {
    MALFORMED(1), TOO_LARGE(2), UNKNOWN_TYPE(3), VERSION(4), AUTH(5), BAD_REQUEST(6), UNKNOWN_STREAM(7),
    BAD_SLOT(8), RESOURCE_EXHAUSTED(9), FINGERPRINT(10), BATCH_TOO_LARGE(11), INTERNAL(12), SHUTTING_DOWN(13),
    OUT_OF_ORDER(14);

    final int code;

    ErrorCode(int code) {
      this.code = code;
    }

    static ErrorCode of(int code) {
      for (ErrorCode c : values()) {
        if (c.code == code) {
          return c;
        }
      }
      return INTERNAL;
    }
  }

  /** A request or reply that breaks the protocol; the connection is closed after an ERROR. */
  static final class ProtocolException extends IOException {
    private static final long serialVersionUID = 1L;
    final transient ErrorCode code;

    ProtocolException(ErrorCode code, String message) {
      super(message);
      this.code = code;
    }
  }

  /** A frame as read: its type and its body (little-endian, position 0). */
  record Frame(int type, ByteBuffer body) {}

  static String typeName(int type) {
    return switch (type) {
      case HELLO -> "HELLO";
      case OPEN_STREAM -> "OPEN_STREAM";
      case NEXT -> "NEXT";
      case RELEASE -> "RELEASE";
      case CLOSE_STREAM -> "CLOSE_STREAM";
      case HANDOFF -> "HANDOFF";
      case ADOPT -> "ADOPT";
      case BYE -> "BYE";
      case WELCOME -> "WELCOME";
      case STREAM_OPENED -> "STREAM_OPENED";
      case BATCH -> "BATCH";
      case END -> "END";
      case ADOPTED -> "ADOPTED";
      case TIMEOUT -> "TIMEOUT";
      case ERROR -> "ERROR";
      default -> "type 0x" + Integer.toHexString(type);
    };
  }

  // --- framing ---

  /**
   * Reads one frame. Returns null on a clean end of stream before a frame starts.
   *
   * @param scratch a reusable buffer (may be replaced by a larger one: use the returned body)
   * @throws ProtocolException if the frame is longer than {@code maxBody} or has non-zero flags
   * @throws EOFException if the stream ends inside a frame
   */
  static Frame readFrame(ReadableByteChannel ch, ByteBuffer header, int maxBody) throws IOException {
    header.clear();
    if (!readFully(ch, header, true)) {
      return null;
    }
    header.flip();
    long length = Integer.toUnsignedLong(header.getInt(0));
    int type = Short.toUnsignedInt(header.getShort(4));
    int flags = Short.toUnsignedInt(header.getShort(6));
    if (length > maxBody) {
      throw new ProtocolException(ErrorCode.TOO_LARGE, "frame of " + length + " bytes (" + typeName(type)
          + ") exceeds the limit of " + maxBody + " bytes");
    }
    if (flags != 0) {
      throw new ProtocolException(ErrorCode.MALFORMED, "frame flags must be 0, got " + flags);
    }
    ByteBuffer body = ByteBuffer.allocate((int) length).order(ByteOrder.LITTLE_ENDIAN);
    readFully(ch, body, false);
    body.flip();
    return new Frame(type, body);
  }

  /** Fills {@code b}; false if the stream ended before any byte (only when {@code eofOk}). */
  static boolean readFully(ReadableByteChannel ch, ByteBuffer b, boolean eofOk) throws IOException {
    boolean any = false;
    while (b.hasRemaining()) {
      int n = ch.read(b);
      if (n < 0) {
        if (!any && eofOk) {
          return false;
        }
        throw new EOFException("connection closed inside a frame (" + b.position() + " of " + b.limit()
            + " bytes read)");
      }
      any |= n > 0;
    }
    return true;
  }

  static void writeFully(WritableByteChannel ch, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }

  /** Builds one frame. */
  static final class Out {
    private ByteBuffer buf;

    Out(int type, int capacity) {
      buf = ByteBuffer.allocate(FRAME_HEADER + Math.max(capacity, 16)).order(ByteOrder.LITTLE_ENDIAN);
      buf.putInt(0).putShort((short) type).putShort((short) 0);
    }

    private void ensure(int n) {
      if (buf.remaining() < n) {
        ByteBuffer b = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + n)).order(ByteOrder.LITTLE_ENDIAN);
        buf.flip();
        b.put(buf);
        buf = b;
      }
    }

    Out u8(int v) {
      ensure(1);
      buf.put((byte) v);
      return this;
    }

    Out u16(int v) {
      ensure(2);
      buf.putShort((short) v);
      return this;
    }

    Out u32(int v) {
      ensure(4);
      buf.putInt(v);
      return this;
    }

    Out u64(long v) {
      ensure(8);
      buf.putLong(v);
      return this;
    }

    Out bytes(byte[] b) {
      ensure(b.length);
      buf.put(b);
      return this;
    }

    Out bytes(ByteBuffer b) {
      ensure(b.remaining());
      buf.put(b);
      return this;
    }

    /** A string: u16 byte length, then UTF-8 (at most 65535 bytes). */
    Out str(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      if (b.length > 0xFFFF) {
        throw new IllegalArgumentException("string of " + b.length + " UTF-8 bytes exceeds 65535: "
            + s.substring(0, 40) + "…");
      }
      return u16(b.length).bytes(b);
    }

    /** The finished frame, ready to write. */
    ByteBuffer frame() {
      ByteBuffer f = buf.duplicate().order(ByteOrder.LITTLE_ENDIAN);
      f.flip();
      f.putInt(0, f.limit() - FRAME_HEADER);
      return f;
    }
  }

  /** Bounded decoding of a frame body: underflow and bad values become {@link ProtocolException}s. */
  static final class In {
    private final ByteBuffer b;
    private final String what;

    In(ByteBuffer body, String what) {
      this.b = body;
      this.what = what;
    }

    private ProtocolException truncated() {
      return new ProtocolException(ErrorCode.MALFORMED, what + " is truncated (" + b.limit() + " bytes)");
    }

    int u8() throws ProtocolException {
      try {
        return Byte.toUnsignedInt(b.get());
      } catch (BufferUnderflowException e) {
        throw truncated();
      }
    }

    int u16() throws ProtocolException {
      try {
        return Short.toUnsignedInt(b.getShort());
      } catch (BufferUnderflowException e) {
        throw truncated();
      }
    }

    int u32() throws ProtocolException {
      try {
        return b.getInt();
      } catch (BufferUnderflowException e) {
        throw truncated();
      }
    }

    long u64() throws ProtocolException {
      try {
        return b.getLong();
      } catch (BufferUnderflowException e) {
        throw truncated();
      }
    }

    byte[] bytes(long n) throws ProtocolException {
      if (n < 0 || n > b.remaining()) {
        throw truncated();
      }
      byte[] out = new byte[(int) n];
      b.get(out);
      return out;
    }

    /** A u32-length-prefixed byte string, bounded by the frame. */
    byte[] blob() throws ProtocolException {
      return bytes(Integer.toUnsignedLong(u32()));
    }

    String str(int maxBytes) throws ProtocolException {
      int n = u16();
      if (n > maxBytes) {
        throw new ProtocolException(ErrorCode.MALFORMED, what + ": string of " + n + " bytes exceeds " + maxBytes);
      }
      byte[] raw = bytes(n);
      try {
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw)).toString();
      } catch (CharacterCodingException e) {
        throw new ProtocolException(ErrorCode.MALFORMED, what + ": a string is not valid UTF-8");
      }
    }

    int remaining() {
      return b.remaining();
    }

    ByteBuffer rest() {
      return b.slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    void end() throws ProtocolException {
      if (b.hasRemaining()) {
        throw new ProtocolException(ErrorCode.MALFORMED, what + " has " + b.remaining() + " unexpected trailing bytes");
      }
    }
  }

  // --- messages ---

  record Hello(int version, long clientPid, String token) {
    ByteBuffer encode() {
      return new Out(HELLO, 32).bytes(HELLO_MAGIC).u16(version).u16(0).u32((int) clientPid).str(token == null ? "" : token)
          .frame();
    }

    static Hello decode(ByteBuffer body) throws ProtocolException {
      In in = new In(body, "HELLO");
      byte[] magic = in.bytes(Math.min(HELLO_MAGIC.length, in.remaining()));
      if (!Arrays.equals(magic, HELLO_MAGIC)) {
        throw new ProtocolException(ErrorCode.MALFORMED, "HELLO does not start with the magic \"WEFTLOAD\""
            + " (not a Weft loader client?)");
      }
      int version = in.u16();
      in.u16();
      long pid = Integer.toUnsignedLong(in.u32());
      String token = in.str(MAX_TOKEN_BYTES);
      in.end();
      return new Hello(version, pid, token.isEmpty() ? null : token);
    }
  }

  /** The ring as described in WELCOME. */
  record RingInfo(String path, long fileSize, int slotCount, int slotHeaderLength, long slotSize, long firstSlotOffset) {}

  record Welcome(int version, long serverPid, long numRows, byte[] fingerprint, int maxRequestBody, RingInfo ring,
      byte[] schemaIpc) {
    ByteBuffer encode() {
      Out o = new Out(WELCOME, 128 + schemaIpc.length).u16(version).u16(0).u32((int) serverPid).u64(numRows)
          .bytes(fingerprint).u32(maxRequestBody).u32(1);
      o.str(ring.path()).u64(ring.fileSize()).u32(ring.slotCount()).u32(ring.slotHeaderLength()).u64(ring.slotSize())
          .u64(ring.firstSlotOffset());
      return o.u32(schemaIpc.length).bytes(schemaIpc).frame();
    }

    static Welcome decode(ByteBuffer body) throws ProtocolException {
      In in = new In(body, "WELCOME");
      int version = in.u16();
      in.u16();
      long pid = Integer.toUnsignedLong(in.u32());
      long rows = in.u64();
      byte[] fp = in.bytes(32);
      int maxReq = in.u32();
      int segments = in.u32();
      if (segments != 1) {
        throw new ProtocolException(ErrorCode.MALFORMED, "WELCOME names " + segments + " segments; this client reads 1");
      }
      RingInfo ring = new RingInfo(in.str(0xFFFF), in.u64(), in.u32(), in.u32(), in.u64(), in.u64());
      byte[] schema = in.blob();
      in.end();
      return new Welcome(version, pid, rows, fp, maxReq, ring, schema);
    }
  }

  static ByteBuffer encodeOpenStream(StreamRequest r) {
    ShuffleOptions s = r.shuffle();
    int mode = !s.shuffle() ? 0 : s.isBlock() ? 2 : 1;
    Out o = new Out(OPEN_STREAM, 128).u64(r.epoch()).u64(s.seed()).u64(r.fromBatch()).u32(r.batchSize())
        .u32(r.rank()).u32(r.worldSize()).u32(r.worker()).u32(r.numWorkers()).u8(mode)
        .u8(r.tail() == ShardPlan.Tail.PAD ? 1 : 0).u16(r.maxInFlight()).u32(s.blockSize()).u32(s.windowBlocks())
        .u16(r.prefetch() < 0 ? DEFAULT_PREFETCH : r.prefetch()).u16(0)
        .bytes(r.expectedFingerprint() == null ? new byte[32] : r.expectedFingerprint().bytes());
    if (r.columns() == null) {
      o.u32(ALL_COLUMNS);
    } else {
      o.u32(r.columns().size());
      for (String c : r.columns()) {
        o.str(c);
      }
    }
    if (r.startPosition() != 0) {
      o.u64(r.startPosition()); // optional trailing field (PROTOCOL.md section 13)
    }
    return o.frame();
  }

  static StreamRequest decodeOpenStream(ByteBuffer body) throws ProtocolException {
    In in = new In(body, "OPEN_STREAM");
    long epoch = in.u64();
    long seed = in.u64();
    long from = in.u64();
    int batchSize = in.u32();
    int rank = in.u32();
    int world = in.u32();
    int worker = in.u32();
    int workers = in.u32();
    int mode = in.u8();
    int tail = in.u8();
    int maxInFlight = in.u16();
    int blockSize = in.u32();
    int window = in.u32();
    int prefetch = in.u16();
    in.u16();
    byte[] fp = in.bytes(32);
    int columns = in.u32();
    java.util.List<String> cols = null;
    if (columns != ALL_COLUMNS) {
      if (columns < 0 || columns > in.remaining() / 2) {
        throw new ProtocolException(ErrorCode.MALFORMED, "OPEN_STREAM: column count " + Integer.toUnsignedLong(columns)
            + " does not fit the frame");
      }
      cols = new java.util.ArrayList<>(columns);
      for (int i = 0; i < columns; i++) {
        cols.add(in.str(0xFFFF));
      }
    }
    long startPosition = in.remaining() == 8 ? in.u64() : 0; // optional trailing field
    in.end();
    try {
      ShuffleOptions shuffle = switch (mode) {
        case 0 -> ShuffleOptions.none();
        case 1 -> ShuffleOptions.global(seed);
        case 2 -> ShuffleOptions.block(seed, blockSize, window);
        default -> throw new IllegalArgumentException("unknown shuffle mode " + mode + " (0 none, 1 global, 2 block)");
      };
      if (tail > 1) {
        throw new IllegalArgumentException("unknown tail mode " + tail + " (0 drop_last, 1 pad)");
      }
      boolean anyFp = false;
      for (byte b : fp) {
        anyFp |= b != 0;
      }
      return StreamRequest.builder().epoch(epoch).shuffle(shuffle).fromBatch(from).batchSize(batchSize)
          .rank(rank).worldSize(world).worker(worker).numWorkers(workers)
          .tail(tail == 1 ? ShardPlan.Tail.PAD : ShardPlan.Tail.DROP_LAST).maxInFlight(maxInFlight)
          .prefetch(prefetch == DEFAULT_PREFETCH ? -1 : prefetch)
          .expectedFingerprint(anyFp ? DatasetFingerprint.ofHex(java.util.HexFormat.of().formatHex(fp)) : null)
          .columns(cols).startPosition(startPosition).build();
    } catch (IllegalArgumentException e) {
      throw new ProtocolException(ErrorCode.BAD_REQUEST, "OPEN_STREAM: " + e.getMessage());
    }
  }

  record StreamOpened(int streamId, int maxInFlight, int prefetch, long batchesPerRank, long numBatches,
      byte[] schemaIpc) {
    ByteBuffer encode() {
      return new Out(STREAM_OPENED, 32 + schemaIpc.length).u32(streamId).u16(maxInFlight).u16(prefetch)
          .u64(batchesPerRank).u64(numBatches).u32(schemaIpc.length).bytes(schemaIpc).frame();
    }

    static StreamOpened decode(ByteBuffer body) throws ProtocolException {
      In in = new In(body, "STREAM_OPENED");
      StreamOpened s = new StreamOpened(in.u32(), in.u16(), in.u16(), in.u64(), in.u64(), in.blob());
      in.end();
      return s;
    }
  }

  record Next(int streamId, int timeoutMs) {
    ByteBuffer encode() {
      return new Out(NEXT, 8).u32(streamId).u32(timeoutMs).frame();
    }

    static Next decode(ByteBuffer body) throws ProtocolException {
      In in = new In(body, "NEXT");
      Next n = new Next(in.u32(), in.u32());
      in.end();
      return n;
    }
  }

  /** RELEASE, HANDOFF, ADOPT and ADOPTED share this body: slot, reserved, generation. */
  record SlotRef(int slot, long generation) {
    ByteBuffer encode(int type) {
      return new Out(type, 16).u32(slot).u32(0).u64(generation).frame();
    }

    static SlotRef decode(ByteBuffer body, String what) throws ProtocolException {
      In in = new In(body, what);
      int slot = in.u32();
      in.u32();
      SlotRef r = new SlotRef(slot, in.u64());
      in.end();
      return r;
    }
  }

  static ByteBuffer encodeStreamId(int type, int streamId) {
    return new Out(type, 4).u32(streamId).frame();
  }

  static int decodeStreamId(ByteBuffer body, String what) throws ProtocolException {
    In in = new In(body, what);
    int id = in.u32();
    in.end();
    return id;
  }

  static final int BATCH_FIXED = 64;

  /** The fixed part of BATCH; inline batches append the message ({@code length} bytes). */
  record BatchReply(int streamId, int slot, long generation, long offset, long length, long epoch, long batchIndex,
      long firstPosition, int rows) {
    Out header() {
      return new Out(BATCH, BATCH_FIXED).u32(streamId).u32(slot).u64(generation).u64(offset).u64(length).u64(epoch)
          .u64(batchIndex).u64(firstPosition).u32(rows).u32(0);
    }

    static BatchReply decode(In in) throws ProtocolException {
      BatchReply r = new BatchReply(in.u32(), in.u32(), in.u64(), in.u64(), in.u64(), in.u64(), in.u64(), in.u64(),
          in.u32());
      in.u32();
      return r;
    }
  }

  record End(int streamId, long delivered) {
    ByteBuffer encode() {
      return new Out(END, 16).u32(streamId).u32(0).u64(delivered).frame();
    }

    static End decode(ByteBuffer body) throws ProtocolException {
      In in = new In(body, "END");
      int id = in.u32();
      in.u32();
      End e = new End(id, in.u64());
      in.end();
      return e;
    }
  }

  record Timeout(int streamId, int held, int maxInFlight, String message) {
    ByteBuffer encode() {
      return new Out(TIMEOUT, 16 + message.length()).u32(streamId).u16(held).u16(maxInFlight).str(message).frame();
    }

    static Timeout decode(ByteBuffer body) throws ProtocolException {
      In in = new In(body, "TIMEOUT");
      Timeout t = new Timeout(in.u32(), in.u16(), in.u16(), in.str(0xFFFF));
      in.end();
      return t;
    }
  }

  record ErrorReply(ErrorCode code, String message) {
    ByteBuffer encode() {
      byte[] m = message.getBytes(StandardCharsets.UTF_8);
      if (m.length > MAX_ERROR_MESSAGE) {
        m = Arrays.copyOf(m, MAX_ERROR_MESSAGE);
      }
      return new Out(ERROR, 8 + m.length).u16(code.code).u16(0).u32(m.length).bytes(m).frame();
    }

    static ErrorReply decode(ByteBuffer body) throws ProtocolException {
      In in = new In(body, "ERROR");
      int code = in.u16();
      in.u16();
      byte[] m = in.blob();
      return new ErrorReply(ErrorCode.of(code), new String(m, StandardCharsets.UTF_8));
    }
  }
}

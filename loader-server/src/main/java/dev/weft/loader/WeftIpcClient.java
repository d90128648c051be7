package dev.weft.loader;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import org.apache.arrow.flatbuf.KeyValue;
import org.apache.arrow.flatbuf.Message;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ReadChannel;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.MessageChannelReader;
import org.apache.arrow.vector.ipc.message.MessageResult;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A Java client of the Arrow IPC socket transport ({@link IpcLoaderService}, PROTOCOL.md section
 * 15): the same {@link StreamRequest}s and {@link WeftBatch}es as {@link WeftFlightClient}, one
 * TCP connection per stream.
 *
 * <pre>{@code
 * try (BufferAllocator alloc = new RootAllocator();
 *      WeftIpcClient client = WeftIpcClient.connect("ipc+tcp://127.0.0.1:39212", token, alloc);
 *      WeftIpcClient.Stream s = client.openStream(StreamRequest.builder().batchSize(256).build())) {
 *   for (WeftBatch next = s.next(); next != null; next = s.next()) {
 *     try (WeftBatch b = next) {
 *       train(b.root());
 *     }
 *   }
 * }
 * }</pre>
 *
 * <p>Each batch owns its buffers (the received message body; no copy). A stream that ends before
 * the batch count its schema announced is an {@link IOException} (the server failed or went
 * away), never a silently short epoch. Errors the server refuses a request with arrive as
 * {@link WeftLoaderClient.ServerError} with the code of its {@code ERROR} line.
 */
public final class WeftIpcClient implements AutoCloseable {
  /** Longest status line read. */
  private static final int MAX_STATUS_LINE = 64 * 1024;

  private final InetSocketAddress address;
  private final String token;
  private final BufferAllocator allocator;
  private final Schema schema;
  private final long numRows;
  private final DatasetFingerprint fingerprint;

  private WeftIpcClient(InetSocketAddress address, String token, BufferAllocator allocator) throws IOException {
    this.address = address;
    this.token = token;
    this.allocator = allocator;
    try (SocketChannel ch = request(IpcRequest.encodeDescribe(token));
        MessageChannelReader reader = new MessageChannelReader(new ReadChannel(ch), allocator)) {
      Schema full = readSchema(reader);
      Map<String, String> meta = full.getCustomMetadata();
      if (meta.get("weft.num_rows") == null || meta.get("weft.fingerprint") == null) {
        throw new IOException("not a Weft loader server: its schema lacks weft.num_rows / weft.fingerprint");
      }
      this.schema = new Schema(full.getFields());
      this.numRows = Long.parseLong(meta.get("weft.num_rows"));
      this.fingerprint = DatasetFingerprint.ofHex(meta.get("weft.fingerprint"));
    }
  }

  /**
   * Connects (asks the server to describe its dataset).
   *
   * @param uri {@code ipc+tcp://HOST:PORT} (or {@code HOST:PORT})
   * @param token the server's token, or null
   * @param allocator where received batches are allocated; owned by the caller
   * @throws WeftLoaderClient.ServerError if the server refuses (e.g. {@code UNAUTHENTICATED})
   */
  public static WeftIpcClient connect(String uri, String token, BufferAllocator allocator) throws IOException {
    Objects.requireNonNull(allocator, "allocator");
    URI u = URI.create(uri.contains("://") ? uri : "ipc+tcp://" + uri);
    if (u.getHost() == null || u.getPort() < 0) {
      throw new IllegalArgumentException("not an address of the form ipc+tcp://HOST:PORT: " + uri);
    }
    return new WeftIpcClient(new InetSocketAddress(u.getHost(), u.getPort()), token, allocator);
  }

  /** The dataset's full schema. */
  public Schema schema() {
    return schema;
  }

  /** Rows of the dataset. */
  public long numRows() {
    return numRows;
  }

  /** The dataset's fingerprint. */
  public DatasetFingerprint fingerprint() {
    return fingerprint;
  }

  /** Opens a stream (one connection). */
  public Stream openStream(StreamRequest request) throws IOException {
    return openLine(IpcRequest.encodeStream(request, token));
  }

  /** Opens a stream with raw request-line bytes (tests of malformed requests). */
  Stream openLine(byte[] line) throws IOException {
    SocketChannel ch = request(line);
    try {
      MessageChannelReader reader = new MessageChannelReader(new ReadChannel(ch), allocator);
      return new Stream(ch, reader, readSchema(reader));
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  /** Connects, sends a request line, reads the status line; the channel is then at the IPC stream. */
  private SocketChannel request(byte[] line) throws IOException {
    SocketChannel ch = SocketChannel.open();
    try {
      ch.connect(address);
      ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
      ByteBuffer b = ByteBuffer.wrap(line);
      while (b.hasRemaining()) {
        ch.write(b);
      }
      String status = readLine(ch);
      if (status.startsWith("ERROR ")) {
        String rest = status.substring(6);
        int sp = rest.indexOf(' ');
        throw new WeftLoaderClient.ServerError(sp < 0 ? rest : rest.substring(0, sp), sp < 0 ? "" : rest.substring(sp + 1));
      }
      if (!status.equals("OK")) {
        throw new IOException("not a Weft loader server (Arrow IPC socket transport) at " + address + ": it answered "
            + (status.length() > 80 ? status.substring(0, 77) + "..." : status));
      }
      return ch;
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  /** Reads one line byte by byte (so that nothing of the IPC stream after it is consumed). */
  private String readLine(SocketChannel ch) throws IOException {
    ByteBuffer one = ByteBuffer.allocate(1);
    java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
    while (true) {
      one.clear();
      if (ch.read(one) < 0) {
        throw new IOException("the server at " + address + " closed the connection before answering");
      }
      byte c = one.get(0);
      if (c == '\n') {
        return line.toString(StandardCharsets.UTF_8);
      }
      if (line.size() >= MAX_STATUS_LINE) {
        throw new IOException("the server at " + address + " sent a status line longer than " + MAX_STATUS_LINE);
      }
      line.write(c);
    }
  }

  private static Schema readSchema(MessageChannelReader reader) throws IOException {
    MessageResult m = reader.readNext();
    if (m == null || m.getMessage().headerType() != MessageHeader.Schema) {
      throw new IOException("the stream does not start with a schema");
    }
    return MessageSerializer.deserializeSchema(m.getMessage());
  }

  /** Nothing to release: every stream has its own connection. */
  @Override
  public void close() {}

  /** One stream: one worker's batches of one rank and epoch, over its own connection. */
  public final class Stream implements AutoCloseable {
    private final SocketChannel channel;
    private final MessageChannelReader reader;
    private final Schema schema;
    private final long batchesPerRank;
    private final long numBatches;
    private long received;
    private boolean ended;
    private boolean closed;

    private Stream(SocketChannel channel, MessageChannelReader reader, Schema schema) {
      this.channel = channel;
      this.reader = reader;
      this.schema = new Schema(schema.getFields());
      Map<String, String> meta = schema.getCustomMetadata();
      this.batchesPerRank = FlightTicket.schemaCount(meta, FlightTicket.BATCHES_PER_RANK);
      this.numBatches = FlightTicket.schemaCount(meta, FlightTicket.NUM_BATCHES);
    }

    /** The schema of the batches (the projection). */
    public Schema schema() {
      return schema;
    }

    /** Batches every rank gets this epoch (from the start position). */
    public long batchesPerRank() {
      return batchesPerRank;
    }

    /** Batches this stream delivers. */
    public long numBatches() {
      return numBatches;
    }

    /**
     * The next batch, owned by the caller, or null at the end of the stream.
     *
     * @throws IOException if the stream ends early or is not what the protocol says
     */
    public WeftBatch next() throws IOException {
      if (ended) {
        return null;
      }
      if (closed) {
        throw new IOException("the stream is closed");
      }
      MessageResult m = reader.readNext();
      if (m == null) {
        ended = true;
        if (numBatches >= 0 && received != numBatches) {
          throw new IOException("the stream ended after " + received + " of " + numBatches
              + " batches (the server failed or went away)");
        }
        return null;
      }
      Message msg = m.getMessage();
      ArrowBuf body = m.getBodyBuffer();
      boolean bodyTaken = false;
      try {
        if (msg.headerType() != MessageHeader.RecordBatch) {
          throw new IOException("expected a record batch message, got message type " + msg.headerType());
        }
        long[] t = null;
        for (int i = 0; i < msg.customMetadataLength(); i++) {
          KeyValue kv = msg.customMetadata(i);
          if (IpcStreamWriter.TAG_KEY.equals(kv.key())) {
            t = FlightTicket.receivedTag(kv.value().getBytes(StandardCharsets.UTF_8));
          }
        }
        if (t == null) {
          throw new IOException("a batch came without its tag (" + IpcStreamWriter.TAG_KEY + ")");
        }
        VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
        bodyTaken = true; // deserializeRecordBatch releases the body (its batch holds slices of it)
        try (ArrowRecordBatch arb = MessageSerializer.deserializeRecordBatch(msg, body)) {
          new VectorLoader(root).load(arb);
        } catch (RuntimeException e) {
          root.close();
          throw e;
        }
        received++;
        return new WeftBatch(root, new BatchTag(fingerprint, t[0], t[1], t[2]), -1, 0, t[3]);
      } finally {
        if (body != null && !bodyTaken) {
          body.close();
        }
      }
    }

    /** Ends the stream (closes the connection; the server stops); batches received stay valid. */
    @Override
    public void close() throws IOException {
      if (closed) {
        return;
      }
      closed = true;
      channel.close();
    }
  }
}

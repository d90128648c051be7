package dev.weft.loader;

import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.FlightCallHeaders;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.HeaderCallOption;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A Java client of the loader server's socket transport (Arrow Flight, PROTOCOL.md section 12):
 * the same {@link StreamRequest}s and {@link WeftBatch}es as {@link WeftLoaderClient}, over TCP.
 *
 * <pre>{@code
 * try (BufferAllocator alloc = new RootAllocator();
 *      WeftFlightClient client = WeftFlightClient.connect("grpc+tcp://127.0.0.1:39211", token, alloc);
 *      WeftFlightClient.Stream s = client.openStream(StreamRequest.builder().batchSize(256)
 *          .shuffle(ShuffleOptions.global(42)).epoch(epoch).build())) {
 *   for (WeftBatch next = s.next(); next != null; next = s.next()) {
 *     try (WeftBatch b = next) {
 *       train(b.root());
 *       checkpoint(b.tag(), b.resumePosition());
 *     }
 *   }
 * }
 * }</pre>
 *
 * <p>Each batch owns its buffers (references to the received message; no copy), so batches may
 * be kept after {@link Stream#next()} moves on. Errors of the server arrive as
 * {@link WeftLoaderClient.ServerError} whose code is the Flight status (e.g.
 * {@code INVALID_ARGUMENT}, {@code UNAUTHENTICATED}). One client may run many streams, also from
 * several threads.
 */
public final class WeftFlightClient implements AutoCloseable {
  private final FlightClient client;
  private final BufferAllocator allocator;
  private final CallOption[] options;
  private final Schema schema;
  private final long numRows;
  private final DatasetFingerprint fingerprint;

  private WeftFlightClient(FlightClient client, BufferAllocator allocator, CallOption[] options) throws IOException {
    this.client = client;
    this.allocator = allocator;
    this.options = options;
    FlightInfo info = call(() -> client.getInfo(FlightDescriptor.path(FlightLoaderService.DATASET_NAME), options));
    Schema full = info.getSchemaOptional().orElseThrow(() -> new IOException("the server sent no schema"));
    Map<String, String> meta = full.getCustomMetadata();
    if (meta.get("weft.num_rows") == null || meta.get("weft.fingerprint") == null) {
      throw new IOException("not a Weft loader server: its schema lacks weft.num_rows / weft.fingerprint");
    }
    this.schema = new Schema(full.getFields());
    this.numRows = Long.parseLong(meta.get("weft.num_rows"));
    this.fingerprint = DatasetFingerprint.ofHex(meta.get("weft.fingerprint"));
  }

  /**
   * Connects and reads the dataset's description.
   *
   * @param uri the server's Flight location, e.g. {@code grpc+tcp://127.0.0.1:39211}
   * @param token the server's token, or null
   * @param allocator where received batches are allocated; owned by the caller
   * @throws WeftLoaderClient.ServerError if the server refuses (e.g. {@code UNAUTHENTICATED})
   */
  public static WeftFlightClient connect(String uri, String token, BufferAllocator allocator) throws IOException {
    Objects.requireNonNull(allocator, "allocator");
    Location location = new Location(URI.create(uri));
    CallOption[] options;
    if (token != null) {
      FlightCallHeaders h = new FlightCallHeaders();
      h.insert("authorization", "Bearer " + token);
      options = new CallOption[] {new HeaderCallOption(h)};
    } else {
      options = new CallOption[0];
    }
    FlightClient c = FlightClient.builder(allocator, location).build();
    try {
      return new WeftFlightClient(c, allocator, options);
    } catch (IOException | RuntimeException e) {
      closeQuietly(c);
      throw e;
    }
  }

  /** The dataset's full schema. */
  public Schema schema() {
    return schema;
  }

  /** Rows of the dataset. */
  public long numRows() {
    return numRows;
  }

  /** The dataset's fingerprint (store it with checkpoints). */
  public DatasetFingerprint fingerprint() {
    return fingerprint;
  }

  /** Opens a stream ({@code DoGet} of the request's ticket). */
  public Stream openStream(StreamRequest request) throws IOException {
    byte[] ticket = FlightTicket.encode(null, request);
    return openTicket(ticket, request);
  }

  /** Opens a stream from raw ticket bytes (tests of malformed tickets). */
  Stream openTicket(byte[] ticket, StreamRequest request) throws IOException {
    FlightStream fs = call(() -> client.getStream(new Ticket(ticket), options));
    try {
      Schema s = call(fs::getSchema); // waits for the server's answer: errors surface here
      return new Stream(fs, s, request);
    } catch (IOException | RuntimeException e) {
      closeQuietly(fs);
      throw e;
    }
  }

  /** Descriptions of the served datasets ({@code ListFlights}). */
  public List<FlightInfo> listFlights() throws IOException {
    return call(() -> {
      List<FlightInfo> out = new java.util.ArrayList<>();
      client.listFlights(org.apache.arrow.flight.Criteria.ALL, options).forEach(out::add);
      return out;
    });
  }

  @Override
  public void close() {
    closeQuietly(client);
  }

  private interface Call<T> {
    T run();
  }

  private static <T> T call(Call<T> c) throws IOException {
    try {
      return c.run();
    } catch (FlightRuntimeException e) {
      throw new WeftLoaderClient.ServerError(e.status().code().name(), e.status().description());
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // closing anyway
    }
  }

  /** One {@code DoGet}: one worker's batches of one rank and epoch. */
  public final class Stream implements AutoCloseable {
    private final FlightStream stream;
    private final Schema schema;
    private final StreamRequest request;
    private final long batchesPerRank;
    private final long numBatches;
    private boolean ended;
    private boolean closed;

    private Stream(FlightStream stream, Schema schema, StreamRequest request) {
      this.stream = stream;
      this.schema = new Schema(schema.getFields());
      this.request = request;
      Map<String, String> meta = schema.getCustomMetadata();
      this.batchesPerRank = FlightTicket.schemaCount(meta, FlightTicket.BATCHES_PER_RANK);
      this.numBatches = FlightTicket.schemaCount(meta, FlightTicket.NUM_BATCHES);
    }

    /** The schema of the batches (the projection). */
    public Schema schema() {
      return schema;
    }

    /** The request the stream was opened with (null if opened from raw ticket bytes). */
    public StreamRequest request() {
      return request;
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
     * @throws WeftLoaderClient.ServerError if the server failed the stream
     */
    public WeftBatch next() throws IOException {
      if (ended) {
        return null;
      }
      if (closed) {
        throw new IOException("the stream is closed");
      }
      if (!call(stream::next)) {
        ended = true;
        return null;
      }
      ArrowBuf meta = stream.getLatestMetadata();
      if (meta == null) {
        throw new IOException("a batch came without its tag (app_metadata); is this a Weft loader server?");
      }
      byte[] json = new byte[(int) meta.capacity()];
      meta.getBytes(0, json);
      long[] t = FlightTicket.receivedTag(json);
      VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
      try (ArrowRecordBatch arb = new VectorUnloader(stream.getRoot()).getRecordBatch()) {
        new VectorLoader(root).load(arb);
      } catch (RuntimeException e) {
        root.close();
        throw e;
      }
      return new WeftBatch(root, new BatchTag(fingerprint, t[0], t[1], t[2]), -1, 0, t[3]);
    }

    /** Ends the stream (cancels it on the server if not all was read); batches received stay valid. */
    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      if (!ended) {
        stream.cancel("closed by the client", null);
      }
      closeQuietly(stream);
    }
  }
}

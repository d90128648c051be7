package dev.weft.loader;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.auth2.CallHeaderAuthenticator;
import org.apache.arrow.memory.BufferAllocator;

/**
 * Serves the batches of one {@link WeftDataset} over Arrow Flight (TCP): the socket transport of
 * PROTOCOL.md section 12. A ticket ({@link FlightTicket}) names a stream as an {@code OPEN_STREAM}
 * does, and {@code DoGet} returns exactly the batches the shared-memory transport would, tagged in
 * each message's {@code app_metadata}.
 *
 * <pre>{@code
 * try (FlightLoaderService flight = FlightLoaderService.start(dataset,
 *     new FlightLoaderService.Options("127.0.0.1", 0, null, 256), null)) {
 *   System.out.println(flight.uri());   // grpc+tcp://127.0.0.1:PORT
 * }
 * }</pre>
 *
 * <p>Security: a non-loopback host is refused without a token ({@link InsecureBindException});
 * with a token every call must carry {@code authorization: Bearer <token>}. Tickets name a
 * dataset by name, never a path. Batches are assembled in the given executor (the shared-memory
 * server's pool, when both run), a few ahead per stream; at most {@code maxStreams} streams run
 * at once.
 */
public final class FlightLoaderService implements AutoCloseable {
  /** The name of the (one) dataset a server serves, in tickets and descriptors. */
  public static final String DATASET_NAME = "default";
  /** Default bound on concurrent {@code DoGet} streams. */
  public static final int DEFAULT_MAX_STREAMS = 256;
  /** Largest request message accepted (a ticket is at most 1 MiB). */
  static final int MAX_INBOUND_MESSAGE = (1 << 20) + 4096;

  /**
   * Where and how to listen.
   *
   * @param host address to bind (default 127.0.0.1); a non-loopback one needs a token
   * @param port TCP port, 0 for a free one
   * @param token the token clients must present, or null
   * @param maxStreams concurrent {@code DoGet} streams, at least 1
   */
  public record Options(String host, int port, String token, int maxStreams) {
    public Options {
      Objects.requireNonNull(host, "host");
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be in [0, 65535], got " + port);
      }
      if (maxStreams < 1 || maxStreams > 65536) {
        throw new IllegalArgumentException("max streams must be in [1, 65536], got " + maxStreams);
      }
      if (token != null && (token.isEmpty() || token.length() > 1024)) {
        throw new IllegalArgumentException("the token must have 1 .. 1024 characters");
      }
    }

    /** Loopback, a free port, no token. */
    public static Options loopback() {
      return new Options("127.0.0.1", 0, null, DEFAULT_MAX_STREAMS);
    }
  }

  /** Binding a non-loopback address without a token. */
  public static final class InsecureBindException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    InsecureBindException(String message) {
      super(message);
    }
  }

  private final WeftDataset dataset;
  private final BufferAllocator allocator;
  private final ExecutorService executor;
  private final boolean ownsExecutor;
  private final FlightServer server;
  private final FlightProducerImpl producer;
  private final Location location;
  private volatile boolean closed;

  private FlightLoaderService(WeftDataset dataset, BufferAllocator allocator, ExecutorService executor,
      boolean ownsExecutor, Options options) throws IOException {
    this.dataset = dataset;
    this.allocator = allocator;
    this.executor = executor;
    this.ownsExecutor = ownsExecutor;
    this.producer = new FlightProducerImpl(this, dataset, allocator, executor, options.maxStreams());
    FlightServer.Builder b = FlightServer.builder(allocator, Location.forGrpcInsecure(options.host(), options.port()),
        producer).maxInboundMessageSize(MAX_INBOUND_MESSAGE);
    if (options.token() != null) {
      b.headerAuthenticator(new TokenAuthenticator(options.token()));
    } else {
      b.headerAuthenticator(CallHeaderAuthenticator.NO_OP);
    }
    this.server = b.build();
    server.start();
    this.location = Location.forGrpcInsecure(options.host(), server.getPort());
  }

  /**
   * Starts serving {@code dataset}.
   *
   * @param executor where batches are assembled (shared with other transports); null for a pool
   *     of one thread per core, owned by the service
   * @throws InsecureBindException if the host is not a loopback address and there is no token
   * @throws IOException if binding fails (e.g. the port is taken)
   */
  public static FlightLoaderService start(WeftDataset dataset, Options options, ExecutorService executor)
      throws IOException {
    Objects.requireNonNull(dataset, "dataset");
    Objects.requireNonNull(options, "options");
    requireSafeBind(options.host(), options.token());
    boolean own = executor == null;
    ExecutorService ex = executor;
    if (own) {
      AtomicInteger n = new AtomicInteger();
      ex = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors(), r -> {
        Thread t = new Thread(r, "weft-flight-assemble-" + n.incrementAndGet());
        t.setDaemon(true);
        return t;
      });
    }
    BufferAllocator alloc = dataset.allocator().newChildAllocator("weft-flight", 0, Long.MAX_VALUE);
    try {
      return new FlightLoaderService(dataset, alloc, ex, own, options);
    } catch (IOException e) {
      alloc.close();
      if (own) {
        ex.shutdownNow();
      }
      throw new IOException("cannot listen on " + options.host() + ":" + options.port() + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      alloc.close();
      if (own) {
        ex.shutdownNow();
      }
      throw e;
    }
  }

  /**
   * Refuses a non-loopback bind address without a token (PROTOCOL.md section 12.5).
   *
   * @throws InsecureBindException naming the host and the fix
   * @throws IllegalArgumentException if the host cannot be resolved
   */
  public static void requireSafeBind(String host, String token) {
    InetAddress a;
    try {
      a = InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("cannot resolve --host " + host);
    }
    if (!a.isLoopbackAddress() && token == null) {
      throw new InsecureBindException("refusing to listen on " + host + " (not a loopback address) without a token:"
          + " anyone who can reach it could read the dataset. Pass --token T (clients send it as"
          + " 'authorization: Bearer T'), or bind 127.0.0.1");
    }
  }

  /** Where clients connect, e.g. {@code grpc+tcp://127.0.0.1:39211}. */
  public Location location() {
    return location;
  }

  /** {@link #location()} as a URI string. */
  public String uri() {
    return location.getUri().toString();
  }

  /** The TCP port listened on. */
  public int port() {
    return server.getPort();
  }

  /** The dataset served. */
  public WeftDataset dataset() {
    return dataset;
  }

  FlightProducerImpl producerForTests() {
    return producer;
  }

  boolean closing() {
    return closed;
  }

  /**
   * Counters since start and gauges now, in the shape of the shared-memory server's
   * ({@link LoaderServer.Stats}): clients and streams = running {@code DoGet} streams; no slots.
   */
  public LoaderServer.Stats stats() {
    return producer.stats();
  }

  /** Stops listening, cancels running streams, and waits for them to finish (at most 10 s). */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    server.shutdown(); // no new calls; running streams see closing() and end
    try {
      server.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      try {
        server.close(); // cancels what is left
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      producer.awaitStreams(10_000);
      if (ownsExecutor) {
        executor.shutdownNow();
      }
      try {
        allocator.close();
      } catch (IllegalStateException leak) {
        // a stream cancelled mid-send may hold a buffer for a moment; the dataset's allocator
        // reports it if it is really lost
      }
    }
  }

  @Override
  public String toString() {
    return "FlightLoaderService[" + uri() + ", " + dataset + "]";
  }
}

package dev.weft.loader;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Objects;
import java.util.PrimitiveIterator;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The plain socket transport (PROTOCOL.md section 15): Arrow IPC streams over TCP. A client
 * connects, sends one request line (JSON: the token and a ticket as Flight's, section 12.1), and
 * reads one status line ({@code OK} or {@code ERROR CODE message}) followed, after {@code OK}, by
 * a standard Arrow IPC stream: the schema of the projection (with the metadata of section 12.2),
 * the stream's record batches (each tagged in its message's custom metadata, key
 * {@value IpcStreamWriter#TAG_KEY}) and the end-of-stream marker; then the server closes the
 * connection. One connection, one stream. pyarrow reads it with
 * {@code pyarrow.ipc.open_stream(sock.makefile("rb"))}.
 *
 * <p>It serves exactly the batches of the Flight and shared-memory transports, without gRPC's
 * HTTP/2 framing: on the 2-core development VM Flight tops out at ~0.5 GB/s on loopback, this
 * path moves the same batches at several times that (see the README's benchmark).
 *
 * <p>Security and limits as Flight's (section 12.5): loopback by default, a non-loopback host
 * needs a token (checked in constant time), the request line is at most
 * {@link IpcRequest#MAX_LINE_BYTES} and must arrive within {@link #REQUEST_TIMEOUT_MS}, at most
 * {@code maxStreams} connections at once. A bad request gets an {@code ERROR} line and the
 * connection is closed; the server and other streams are unaffected. Backpressure is TCP's: a
 * stream's thread blocks while the client does not read, holding at most 1 + 8 batches.
 */
public final class IpcLoaderService implements AutoCloseable {
  /** How long a client has to send its request line. */
  static final long REQUEST_TIMEOUT_MS = 10_000;

  private final long requestTimeoutMs;

  private final WeftDataset dataset;
  private final ExecutorService executor;
  private final boolean ownsExecutor;
  private final ServerSocketChannel server;
  private final String host;
  private final String token;
  private final int maxStreams;
  private final Semaphore permits;
  private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
  private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService timer;
  private final Thread acceptor;
  private final AtomicInteger running = new AtomicInteger();
  private final LongAdder started = new LongAdder();
  private final LoaderServer.Counters counters = new LoaderServer.Counters();
  private volatile boolean closed;

  private IpcLoaderService(WeftDataset dataset, ExecutorService executor, boolean ownsExecutor, ServerSocketChannel server,
      FlightLoaderService.Options options, long requestTimeoutMs) {
    this.requestTimeoutMs = requestTimeoutMs;
    this.dataset = dataset;
    this.executor = executor;
    this.ownsExecutor = ownsExecutor;
    this.server = server;
    this.host = options.host();
    this.token = options.token();
    this.maxStreams = options.maxStreams();
    this.permits = new Semaphore(maxStreams);
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "weft-ipc-timer");
      t.setDaemon(true);
      return t;
    });
    this.acceptor = new Thread(this::acceptLoop, "weft-ipc-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /**
   * Starts serving {@code dataset} on {@code options}' host and port (0: a free one).
   *
   * @param executor where batches are assembled (shared with other transports); null for a pool
   *     of one thread per core, owned by the service
   * @throws FlightLoaderService.InsecureBindException if the host is not loopback and there is no token
   * @throws IOException if binding fails
   */
  public static IpcLoaderService start(WeftDataset dataset, FlightLoaderService.Options options,
      ExecutorService executor) throws IOException {
    return start(dataset, options, executor, REQUEST_TIMEOUT_MS);
  }

  /** As {@link #start(WeftDataset, FlightLoaderService.Options, ExecutorService)}, with another request timeout (tests). */
  static IpcLoaderService start(WeftDataset dataset, FlightLoaderService.Options options, ExecutorService executor,
      long requestTimeoutMs) throws IOException {
    Objects.requireNonNull(dataset, "dataset");
    Objects.requireNonNull(options, "options");
    FlightLoaderService.requireSafeBind(options.host(), options.token());
    ServerSocketChannel ss = ServerSocketChannel.open();
    try {
      ss.bind(new InetSocketAddress(InetAddress.getByName(options.host()), options.port()), 128);
    } catch (IOException e) {
      ss.close();
      throw new IOException("cannot listen on " + options.host() + ":" + options.port() + ": " + e.getMessage(), e);
    }
    boolean own = executor == null;
    ExecutorService ex = executor;
    if (own) {
      AtomicInteger n = new AtomicInteger();
      ex = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors(), r -> {
        Thread t = new Thread(r, "weft-ipc-assemble-" + n.incrementAndGet());
        t.setDaemon(true);
        return t;
      });
    }
    return new IpcLoaderService(dataset, ex, own, ss, options, requestTimeoutMs);
  }

  /** The TCP port listened on. */
  public int port() {
    try {
      return ((InetSocketAddress) server.getLocalAddress()).getPort();
    } catch (IOException e) {
      return -1;
    }
  }

  /** Where clients connect: {@code ipc+tcp://HOST:PORT}. */
  public String uri() {
    String h = host.contains(":") ? "[" + host + "]" : host;
    return "ipc+tcp://" + h + ":" + port();
  }

  /** Counters since start and gauges now, as {@link FlightLoaderService#stats()}. */
  public LoaderServer.Stats stats() {
    int n = running.get();
    LoaderServer.Counters c = counters;
    return new LoaderServer.Stats(n, n, 0, 0, 0, 0, started.sum(), c.batches.sum(), c.rows.sum(), c.bytes.sum(),
        0, c.waitNanos.sum(), c.errors.sum());
  }

  /** Connection threads alive now (tests: nothing leaks after clients go away). */
  int liveThreads() {
    return threads.size();
  }

  /** Stops listening, closes every connection and waits (at most 10 s) for their threads. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      server.close();
    } finally {
      for (SocketChannel ch : open) {
        closeQuietly(ch);
      }
      acceptor.interrupt();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      for (Thread t : threads) {
        try {
          t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      timer.shutdownNow();
      if (ownsExecutor) {
        executor.shutdownNow();
      }
    }
  }

  private void acceptLoop() {
    AtomicInteger n = new AtomicInteger();
    while (!closed) {
      SocketChannel ch;
      try {
        ch = server.accept();
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        if (closed) {
          return;
        }
        try {
          Thread.sleep(10); // e.g. out of file descriptors: do not spin
        } catch (InterruptedException ie) {
          return;
        }
        continue;
      }
      open.add(ch);
      if (closed) {
        closeQuietly(ch);
        open.remove(ch);
        return;
      }
      Thread t = new Thread(() -> connection(ch), "weft-ipc-stream-" + n.incrementAndGet());
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
  }

  /** An error to send as the status line, then close. */
  static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;
    final String code;

    Refused(String code, String message) {
      super(message, null, false, false);
      this.code = code;
    }
  }

  private void connection(SocketChannel ch) {
    boolean permitted = false;
    try {
      ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
      byte[] line = readRequestLine(ch);
      if (line == null) {
        return; // the client went away, or too slow
      }
      try {
        if (!permits.tryAcquire()) {
          throw new Refused("RESOURCE_EXHAUSTED", "the server runs " + maxStreams
              + " streams already (--max-streams); retry later");
        }
        permitted = true;
        running.incrementAndGet();
        started.increment();
        serve(ch, line);
      } catch (Refused r) {
        counters.error();
        String msg = r.getMessage().replace('\n', ' ').replace('\r', ' ');
        writeQuietly(ch, ("ERROR " + r.code + " " + msg + "\n").getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      // the client went away (or the server is closing): nothing to tell anybody
    } catch (RuntimeException | Error e) {
      counters.error();
    } finally {
      if (permitted) {
        running.decrementAndGet();
        permits.release();
      }
      open.remove(ch);
      closeQuietly(ch);
      threads.remove(Thread.currentThread());
    }
  }

  /** The request line without its newline; null (after an error line if useful) if none came. */
  private byte[] readRequestLine(SocketChannel ch) throws IOException {
    ScheduledFuture<?> deadline = timer.schedule(() -> closeQuietly(ch), requestTimeoutMs, TimeUnit.MILLISECONDS);
    try {
      ByteBuffer buf = ByteBuffer.allocate(4096);
      byte[] acc = new byte[4096];
      int len = 0;
      while (true) {
        buf.clear();
        int k = ch.read(buf);
        if (k < 0) {
          return null;
        }
        for (int i = 0; i < k; i++) {
          byte c = buf.get(i);
          if (c == '\n') {
            // anything after the newline is a protocol violation: the client must wait for the reply
            return java.util.Arrays.copyOf(acc, len);
          }
          if (len + 1 >= IpcRequest.MAX_LINE_BYTES) {
            counters.error();
            writeQuietly(ch, ("ERROR INVALID_ARGUMENT the request line is longer than " + IpcRequest.MAX_LINE_BYTES
                + " bytes\n").getBytes(StandardCharsets.UTF_8));
            return null;
          }
          if (len == acc.length) {
            acc = java.util.Arrays.copyOf(acc, Math.min(IpcRequest.MAX_LINE_BYTES, acc.length * 2));
          }
          acc[len++] = c;
        }
      }
    } catch (ClosedChannelException e) {
      return null; // the deadline closed it
    } finally {
      deadline.cancel(false);
    }
  }

  private void serve(SocketChannel ch, byte[] line) throws Refused, IOException {
    if (closed) {
      throw new Refused("UNAVAILABLE", "the server is shutting down");
    }
    IpcRequest req;
    try {
      req = IpcRequest.parse(line);
    } catch (IllegalArgumentException e) {
      throw new Refused("INVALID_ARGUMENT", e.getMessage());
    }
    if (token != null && (req.token() == null || !MessageDigest.isEqual(
        token.getBytes(StandardCharsets.UTF_8), req.token().getBytes(StandardCharsets.UTF_8)))) {
      throw new Refused("UNAUTHENTICATED", req.token() == null ? "this server needs a token (\"token\" in the request)"
          : "wrong token");
    }
    IpcStreamWriter out = new IpcStreamWriter(ch);
    if (req.op().equals("describe")) {
      Map<String, String> meta = FlightTicket.schemaMetadata(dataset.fingerprint(), dataset.numRows(), -1, -1);
      Schema schema = new Schema(dataset.schema().getFields(), meta);
      writeFully(ch, "OK\n".getBytes(StandardCharsets.UTF_8));
      out.writeSchema(schema);
      out.writeEnd();
      return;
    }
    StreamPlan p = StreamPlan.of(dataset, req.ticket(), Refused::new);
    writeFully(ch, "OK\n".getBytes(StandardCharsets.UTF_8));
    out.writeSchema(p.schema());
    StreamRequest r = p.ticket().request();
    int ahead = 1 + Math.min(FlightProducerImpl.MAX_PREFETCH,
        r.prefetch() < 0 ? LoaderServerOptions.DEFAULT_PREFETCH : r.prefetch());
    PrimitiveIterator.OfLong batches = p.plan().batchesOfWorker(r.worker(), r.numWorkers(), r.fromBatch());
    ArrayDeque<Future<Ready>> queue = new ArrayDeque<>();
    AtomicBoolean stopped = new AtomicBoolean();
    // batches of all-fixed-width projections are gathered straight into message buffers that the
    // stream reuses (at most `ahead` + 1 of them), not into fresh vectors: no allocation and no
    // page faults per batch
    DirectBatchWriter direct = reuseBuffers ? p.assembler().direct() : null;
    if (direct != null) {
      dataset.requireFingerprint(p.order().fingerprint(), "the epoch order");
    }
    java.util.concurrent.ConcurrentLinkedQueue<ArrowBuf> free = new java.util.concurrent.ConcurrentLinkedQueue<>();
    try {
      while (true) {
        while (queue.size() < ahead && batches.hasNext()) {
          long j = batches.nextLong();
          queue.add(submitOrEnd(() -> {
            if (stopped.get()) {
              return null;
            }
            Ready b = direct != null ? gathered(direct, p, j, free) : Ready.of(p.assembler().assemble(p.order(), p.plan(), j));
            if (stopped.get()) {
              b.close();
              return null;
            }
            return b;
          }));
        }
        Future<Ready> next = queue.poll();
        if (next == null) {
          break;
        }
        long t0 = System.nanoTime();
        Ready b = await(next);
        counters.waited(System.nanoTime() - t0);
        try (b) {
          long bytes = b.batch().computeBodyLength();
          if (bytes > LoaderServerOptions.DEFAULT_INLINE_LIMIT) {
            counters.error(); // as Flight refuses it; here the stream ends without its end marker
            return;
          }
          int rows = b.rows();
          byte[] tag = FlightTicket.tagJson(b.tag(), p.plan().resumePosition(b.tag().batchIndex()), rows);
          out.writeBatch(b.batch(), tag);
          counters.delivered(rows, bytes, false);
        }
        if (closed) {
          return; // no end marker: the client sees a short stream
        }
      }
      out.writeEnd();
    } finally {
      stopped.set(true);
      drain(queue);
      for (ArrowBuf buf; (buf = free.poll()) != null; ) {
        buf.close();
      }
    }
  }

  /** For benchmarks: false assembles every batch into fresh vectors (the earlier path). */
  static volatile boolean reuseBuffers = true;

  /** An assembled batch ready to write: its record batch and tag; closing it frees what it holds. */
  private record Ready(BatchTag tag, int rows, ArrowRecordBatch batch, AutoCloseable owner) implements AutoCloseable {
    static Ready of(BatchAssembler.Batch b) {
      ArrowRecordBatch arb = new VectorUnloader(b.root()).getRecordBatch();
      return new Ready(b.tag(), b.root().getRowCount(), arb, b);
    }

    @Override
    public void close() {
      batch.close();
      try {
        owner.close();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** Batch j gathered by {@code direct} into a buffer of {@code free} (or a new one), returned there on close. */
  private Ready gathered(DirectBatchWriter direct, StreamPlan p, long j, java.util.Queue<ArrowBuf> free)
      throws IOException {
    long[] ids = p.plan().rowIdsOfBatch(p.order(), j);
    if (ids.length == 0) {
      return Ready.of(p.assembler().assemble(p.order(), p.plan(), j));
    }
    long length = direct.messageLength(ids.length);
    ArrowBuf buf = free.poll();
    if (buf != null && buf.capacity() < length) {
      buf.close();
      buf = null;
    }
    if (buf == null) {
      buf = dataset.allocator().buffer(length);
    }
    try {
      ArrowRecordBatch arb = direct.recordBatch(ids, buf);
      ArrowBuf mine = buf;
      return new Ready(p.plan().tag(p.order(), j), ids.length, arb, () -> free.add(mine));
    } catch (IOException | RuntimeException | Error e) {
      buf.close();
      throw e;
    }
  }

  /** Submits an assembly; once the stream has started, a refusal can only end it (no end marker). */
  private Future<Ready> submitOrEnd(java.util.concurrent.Callable<Ready> task)
      throws IOException {
    try {
      return executor.submit(task);
    } catch (RejectedExecutionException e) {
      throw new IOException("the server is shutting down");
    }
  }

  private static <T> T await(Future<T> f) throws IOException {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted");
    } catch (CancellationException e) {
      throw new IOException("the server is shutting down");
    } catch (ExecutionException e) {
      // the stream ends without its end marker; the client sees fewer batches than announced
      throw new IOException("reading a batch failed: " + e.getCause(), e.getCause());
    }
  }

  private static void drain(ArrayDeque<Future<Ready>> queue) {
    boolean interrupted = false;
    for (Future<Ready> f : queue) {
      while (true) {
        try {
          Ready b = f.get(30, TimeUnit.SECONDS);
          if (b != null) {
            b.close();
          }
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException | CancellationException | java.util.concurrent.TimeoutException e) {
          break;
        }
      }
    }
    queue.clear();
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private static void writeFully(SocketChannel ch, byte[] bytes) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }

  private static void writeQuietly(SocketChannel ch, byte[] bytes) {
    try {
      writeFully(ch, bytes);
    } catch (IOException ignored) {
      // the client is gone
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // closing anyway
    }
  }

  @Override
  public String toString() {
    return "IpcLoaderService[" + uri() + ", " + dataset + "]";
  }
}

package dev.weft.loader;

import dev.weft.loader.Protocol.ErrorCode;
import dev.weft.loader.Protocol.ProtocolException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.apache.arrow.vector.ipc.WriteChannel;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Serves the batches of one {@link WeftDataset} to many local clients (every DataLoader worker of
 * every rank of a host) over shared memory: a ring of slots in one file under {@code /dev/shm}
 * ({@link RingLayout}), and a control protocol over a Unix domain socket ({@link Protocol},
 * {@code PROTOCOL.md}).
 *
 * <pre>{@code
 * try (WeftDataset ds = WeftDataset.open(List.of(Path.of("train/")));
 *      LoaderServer server = LoaderServer.start(ds, LoaderServerOptions.defaults())) {
 *   System.out.println(server.socketPath());   // clients connect here (WeftLoaderClient, Python)
 *   ...
 * }
 * }</pre>
 *
 * <p>Start removes the segments and sockets that dead servers left in the shm and socket
 * directories, checks that the shm directory can hold the ring (a clear error if not), creates
 * the segment ({@code weft-<pid>-<random>.ring}, mode 0600) and binds the socket (mode 0600).
 * The readers of the dataset are shared by all streams; batches are assembled in a pool of
 * {@link LoaderServerOptions#threads()} threads, a few ahead per stream. {@link #close()} (also
 * run by a JVM shutdown hook, e.g. on SIGTERM or SIGINT) disconnects every client, stops the
 * pool, and deletes the segment and the socket. The dataset is not closed by the server.
 */
public final class LoaderServer implements AutoCloseable {
  private static final int MAX_CACHED_SCHEMAS = 64;
  private final WeftDataset dataset;
  private final LoaderServerOptions options;
  private final ShmRing ring;
  private final SlotPool pool;
  private final Path socketPath;
  private final ServerSocketChannel listener;
  private final ThreadPoolExecutor executor;
  private final ScheduledExecutorService scheduler;
  private final Map<Long, ServerConnection> connections = new ConcurrentHashMap<>();
  private final Map<List<String>, byte[]> schemas = new ConcurrentHashMap<>();
  private final Counters stats = new Counters();
  private final AtomicLong connectionIds = new AtomicLong();
  private final byte[] welcome;
  private final Thread acceptor;
  private final Thread shutdownHook;
  private volatile boolean closing;
  private final java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);
  private final List<Path> removedStale;

  private LoaderServer(WeftDataset dataset, LoaderServerOptions options, ShmRing ring, Path socketPath,
      ServerSocketChannel listener, List<Path> removedStale) {
    this.dataset = dataset;
    this.options = options;
    this.ring = ring;
    this.pool = new SlotPool(ring.slotCount());
    this.socketPath = socketPath;
    this.listener = listener;
    this.removedStale = List.copyOf(removedStale);
    AtomicInteger n = new AtomicInteger();
    this.executor = new ThreadPoolExecutor(options.threads(), options.threads(), 30, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), r -> {
          Thread t = new Thread(r, "weft-assemble-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "weft-loader-sweeper");
      t.setDaemon(true);
      return t;
    });
    this.welcome = encodeWelcome();
    this.acceptor = new Thread(this::acceptLoop, "weft-loader-accept");
    this.acceptor.setDaemon(true);
    this.shutdownHook = new Thread(this::closeQuietly, "weft-loader-shutdown");
  }

  /**
   * Starts a server for {@code dataset}.
   *
   * @throws IOException if the shm directory is missing or too small (the message says what to
   *     change), the socket path is taken by a live server or is not a socket, or binding fails
   */
  public static LoaderServer start(WeftDataset dataset, LoaderServerOptions options) throws IOException {
    Objects.requireNonNull(dataset, "dataset");
    Objects.requireNonNull(options, "options");
    String base = ShmRing.newBaseName();
    Path socket = options.socketPath() != null ? options.socketPath().toAbsolutePath()
        : Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().resolve(base + ".sock");
    List<Path> removed = new ArrayList<>(ShmRing.removeStale(options.shmDir()));
    if (options.socketPath() == null && !socket.getParent().equals(options.shmDir().toAbsolutePath())) {
      removed.addAll(ShmRing.removeStale(socket.getParent()));
    }
    ShmRing ring = ShmRing.create(options.shmDir(), base, options.slots(), options.slotSize());
    ServerSocketChannel listener = null;
    try {
      listener = bind(socket);
      LoaderServer s = new LoaderServer(dataset, options, ring, socket, listener, removed);
      s.scheduler.scheduleWithFixedDelay(s::sweepHandoffs, 1, 1, TimeUnit.SECONDS);
      Runtime.getRuntime().addShutdownHook(s.shutdownHook);
      s.acceptor.start();
      return s;
    } catch (IOException | RuntimeException | Error e) {
      if (listener != null) {
        listener.close();
        Files.deleteIfExists(socket);
      }
      ring.close();
      throw e;
    }
  }

  private static ServerSocketChannel bind(Path socket) throws IOException {
    int len = socket.toString().getBytes(StandardCharsets.UTF_8).length;
    if (len > 107) {
      throw new IOException("socket path " + socket + " is " + len + " bytes; Unix domain socket paths are limited"
          + " to 107 bytes: choose a shorter --socket path");
    }
    if (Files.exists(socket, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      BasicFileAttributes a = Files.readAttributes(socket, BasicFileAttributes.class,
          java.nio.file.LinkOption.NOFOLLOW_LINKS);
      if (!a.isOther()) {
        throw new FileAlreadyExistsException(socket.toString(), null, "exists and is not a socket; refusing to replace it");
      }
      try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
        probe.connect(UnixDomainSocketAddress.of(socket));
        throw new FileAlreadyExistsException(socket.toString(), null, "a server is already listening there");
      } catch (IOException refused) {
        if (refused instanceof FileAlreadyExistsException) {
          throw refused;
        }
        Files.deleteIfExists(socket); // a stale socket: nobody listens
      }
    }
    ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      ch.bind(UnixDomainSocketAddress.of(socket), 128);
      Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
      return ch;
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  private byte[] encodeWelcome() {
    Protocol.RingInfo info = new Protocol.RingInfo(ring.file().toAbsolutePath().toString(), ring.fileSize(),
        ring.slotCount(), RingLayout.SLOT_HEADER_LENGTH, ring.slotSize(), RingLayout.FIRST_SLOT_OFFSET);
    ByteBuffer f = new Protocol.Welcome(Protocol.VERSION, ProcessHandle.current().pid(), dataset.numRows(),
        dataset.fingerprint().bytes(), Protocol.MAX_REQUEST_BODY, info, schemaIpc(null)).encode();
    byte[] b = new byte[f.remaining()];
    f.get(b);
    return b;
  }

  // --- accepting ---

  private void acceptLoop() {
    while (!closing) {
      SocketChannel ch;
      try {
        ch = listener.accept();
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        if (closing) {
          return;
        }
        sleepQuietly(10); // e.g. out of file descriptors: back off, keep serving the others
        continue;
      }
      if (closing) {
        closeQuietly(ch);
        return;
      }
      ServerConnection c = new ServerConnection(connectionIds.incrementAndGet(), this, ch);
      if (connections.size() >= options.maxClients()) {
        stats.errors.increment();
        try {
          Protocol.writeFully(ch, new Protocol.ErrorReply(ErrorCode.RESOURCE_EXHAUSTED, "the server has "
              + options.maxClients() + " clients already").encode());
        } catch (IOException | RuntimeException ignored) {
          // gone
        }
        closeQuietly(ch);
        continue;
      }
      connections.put(c.id(), c);
      stats.connections.increment();
      c.start();
    }
  }

  private static void closeQuietly(SocketChannel ch) {
    try {
      ch.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  private static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // --- used by connections and streams ---

  LoaderServerOptions options() {
    return options;
  }

  ExecutorService executor() {
    return executor;
  }

  SlotPool pool() {
    return pool;
  }

  ShmRing ring() {
    return ring;
  }

  Counters counters() {
    return stats;
  }

  /** A fresh WELCOME frame. */
  ByteBuffer welcome() {
    return ByteBuffer.wrap(welcome);
  }

  /** The Arrow IPC schema message of a projection (null: all columns), cached per projection. */
  byte[] schemaIpc(List<String> columns) {
    List<String> key = columns == null ? List.of("\u0000all") : columns;
    byte[] cached = schemas.get(key);
    if (cached != null) {
      return cached;
    }
    try {
      Schema s = dataset.reader(0).schema(columns);
      // the file's schema metadata (pandas' index and types, the writer's own keys) as pyarrow
      // keeps it for a projection too; a dataset of several files carries its first file's
      Map<String, String> meta = dataset.reader(0).schema().getCustomMetadata();
      if (meta != null && !meta.isEmpty()) {
        s = new Schema(s.getFields(), meta);
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      MessageSerializer.serialize(new WriteChannel(Channels.newChannel(out)), s);
      byte[] b = out.toByteArray();
      if (schemas.size() < MAX_CACHED_SCHEMAS) {
        schemas.put(key, b);
      }
      return b;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  ServerStream openStream(int sid, ServerConnection conn, StreamRequest req) throws IOException {
    if (closing) {
      throw new ProtocolException(ErrorCode.SHUTTING_DOWN, "the server is shutting down");
    }
    if (req.expectedFingerprint() != null && !req.expectedFingerprint().equals(dataset.fingerprint())) {
      throw new ProtocolException(ErrorCode.FINGERPRINT, "the client expects the dataset with fingerprint "
          + req.expectedFingerprint().hex() + ", this server serves " + dataset.fingerprint().hex()
          + " (its files were changed, added, removed, renamed or reordered)");
    }
    BatchAssembler asm;
    try {
      asm = new BatchAssembler(dataset, req.columns());
    } catch (IllegalArgumentException e) {
      throw new ProtocolException(ErrorCode.BAD_REQUEST, "OPEN_STREAM: " + e.getMessage());
    }
    EpochOrder order = EpochOrder.create(dataset, req.shuffle(), req.epoch());
    ShardPlan plan;
    try {
      plan = ShardPlan.create(dataset.numRows(), req.rank(), req.worldSize(), req.batchSize(), req.tail(),
          req.startPosition());
    } catch (IllegalArgumentException e) {
      throw new ProtocolException(ErrorCode.BAD_REQUEST, "OPEN_STREAM: " + e.getMessage());
    }
    int inFlight = req.maxInFlight() == 0 ? options.defaultMaxInFlight() : req.maxInFlight();
    int prefetch = req.prefetch() < 0 ? options.defaultPrefetch() : req.prefetch();
    int got = pool.reserve(inFlight + prefetch, inFlight);
    if (got < 0) {
      throw new ProtocolException(ErrorCode.RESOURCE_EXHAUSTED, "the ring's " + pool.total() + " slots are reserved"
          + " by open streams (" + pool.unreservedSlots() + " unreserved) and this stream needs " + inFlight
          + " (max in flight); close streams, ask for fewer in flight, or start the server with more --slots");
    }
    return new ServerStream(sid, this, conn, order, plan, asm, req, inFlight, got);
  }

  /** A delivered slot came back: released, its connection died, or its handoff expired. */
  void returned(int slot) {
    ServerStream s = pool.owner(slot);
    if (s == null) {
      throw new IllegalStateException("slot " + slot + " returned but has no owner (bug)");
    }
    s.returned(slot);
  }

  void connectionClosed(ServerConnection c) {
    connections.remove(c.id());
  }

  private void sweepHandoffs() {
    try {
      for (int slot : pool.expiredHandoffs(System.nanoTime(), false)) {
        returned(slot);
      }
    } catch (RuntimeException e) {
      // keep sweeping
    }
  }

  // --- public API ---

  /** The control socket clients connect to. */
  public Path socketPath() {
    return socketPath;
  }

  /** The ring segment file. */
  public Path segmentPath() {
    return ring.file();
  }

  /** The dataset served. */
  public WeftDataset dataset() {
    return dataset;
  }

  /** The stale segments and sockets of dead servers that start removed. */
  public List<Path> removedStale() {
    return removedStale;
  }

  /** A snapshot of the server's counters and gauges. */
  public Stats stats() {
    int streams = 0;
    for (ServerConnection c : connections.values()) {
      streams += c.streamCount();
    }
    return new Stats(connections.size(), streams, pool.inUse(), pool.reserved(), pool.total(), pool.handedOff(),
        stats.connections.sum(), stats.batches.sum(), stats.rows.sum(), stats.bytes.sum(), stats.inline.sum(),
        stats.waitNanos.sum(), stats.errors.sum());
  }

  /**
   * Counters since start and gauges now.
   *
   * @param clients connections open now
   * @param streams streams open now
   * @param slotsInUse ring slots not free now (being written, queued, or held by clients)
   * @param slotsReserved ring slots reserved by open streams (and by closed ones whose slots are still out)
   * @param slots ring slots in all
   * @param handedOff slots handed off and not yet adopted
   * @param connections connections accepted since start
   * @param batches batches delivered
   * @param rows rows delivered
   * @param bytes Arrow IPC bytes delivered
   * @param inlineBatches batches sent inline (too large for a slot)
   * @param waitNanos time NEXT requests waited for a batch or a free slot, summed
   * @param errors ERROR replies sent (incl. refused connections)
   */
  public record Stats(int clients, int streams, int slotsInUse, int slotsReserved, int slots, int handedOff, long connections,
      long batches, long rows, long bytes, long inlineBatches, long waitNanos, long errors) {}

  /** Closes the server: disconnects every client, stops assembly, deletes the segment and the socket. */
  @Override
  public void close() throws IOException {
    synchronized (this) {
      if (closing) {
        awaitClosed();
        return;
      }
      closing = true;
    }
    try {
      doClose();
    } finally {
      closed.countDown();
    }
  }

  private void awaitClosed() {
    try {
      closed.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void doClose() throws IOException {
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // shutting down: the hook is what runs us
    }
    IOException first = null;
    try {
      listener.close();
    } catch (IOException e) {
      first = e;
    }
    for (ServerConnection c : connections.values()) {
      c.close();
    }
    scheduler.shutdownNow();
    executor.shutdown();
    boolean stopped;
    try {
      stopped = executor.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopped = false;
    }
    try {
      acceptor.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (int slot : pool.expiredHandoffs(0, true)) {
      ServerStream s = pool.owner(slot);
      if (s != null) {
        s.returned(slot);
      }
    }
    try {
      ring.close(stopped);
    } catch (IOException e) {
      if (first == null) {
        first = e;
      } else {
        first.addSuppressed(e);
      }
    }
    try {
      Files.deleteIfExists(socketPath);
    } catch (IOException e) {
      if (first == null) {
        first = e;
      } else {
        first.addSuppressed(e);
      }
    }
    if (first != null) {
      throw first;
    }
  }

  private void closeQuietly() {
    try {
      close();
    } catch (IOException | RuntimeException ignored) {
      // shutting down
    }
  }

  @Override
  public String toString() {
    return "LoaderServer[" + socketPath + ", " + ring.file() + ", " + dataset + "]";
  }

  /** The server's counters. */
  static final class Counters {
    final LongAdder connections = new LongAdder();
    final LongAdder batches = new LongAdder();
    final LongAdder rows = new LongAdder();
    final LongAdder bytes = new LongAdder();
    final LongAdder inline = new LongAdder();
    final LongAdder waitNanos = new LongAdder();
    final LongAdder errors = new LongAdder();

    void delivered(int rowCount, long length, boolean inlined) {
      batches.increment();
      rows.add(rowCount);
      bytes.add(length);
      if (inlined) {
        inline.increment();
      }
    }

    void waited(long nanos) {
      waitNanos.add(nanos);
    }

    void error() {
      errors.increment();
    }
  }
}

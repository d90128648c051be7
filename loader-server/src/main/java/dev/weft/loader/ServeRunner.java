package dev.weft.loader;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs a loader server until SIGTERM or SIGINT (or {@link #stop()}): the shared-memory transport
 * ({@link LoaderServer}) and, if asked, the socket transport ({@link FlightLoaderService}) on the
 * same dataset and the same assembly pool. Used by {@link ServeMain} and by {@code weft serve}.
 *
 * <p>Standard output: first the addresses (PROTOCOL.md section 14), then a status line every
 * {@code statusInterval} seconds, then {@code stopped}. Messages go to standard error. Returns 0
 * after a clean shutdown, 1 if the server cannot start, 2 for a refused configuration (a
 * non-loopback host without a token).
 */
public final class ServeRunner {
  /** How the addresses are printed (PROTOCOL.md section 14). */
  public enum AddressLine {
    /**
     * {@code ServeMain}: the socket path alone on line 1; the Flight location alone on line 2 (with
     * Flight); the Arrow IPC location alone on the next line (with it).
     */
    SOCKET_THEN_FLIGHT,
    /**
     * {@code weft serve}: every address on line 1, the Flight location first, then {@code unix:PATH},
     * then the Arrow IPC location.
     */
    ALL_ON_FIRST_LINE
  }

  /**
   * What to serve, and how.
   *
   * @param datasets .weft files or directories of them, served as one dataset
   * @param shm the shared-memory server's options (its token also guards Flight)
   * @param flight the Flight server's options, or null for no Flight
   * @param ipc the Arrow IPC socket server's options ({@link IpcLoaderService}), or null for none
   * @param statusInterval seconds between status lines (0: none)
   * @param addressLine how addresses are printed
   */
  public record Config(List<Path> datasets, LoaderServerOptions shm, FlightLoaderService.Options flight,
      FlightLoaderService.Options ipc, double statusInterval, AddressLine addressLine) {
    public Config {
      datasets = List.copyOf(datasets);
      Objects.requireNonNull(shm, "shm");
      Objects.requireNonNull(addressLine, "addressLine");
    }

    /** Without the Arrow IPC socket transport. */
    public Config(List<Path> datasets, LoaderServerOptions shm, FlightLoaderService.Options flight,
        double statusInterval, AddressLine addressLine) {
      this(datasets, shm, flight, null, statusInterval, addressLine);
    }
  }

  private final CountDownLatch stopped = new CountDownLatch(1);
  private final CountDownLatch stopRequested = new CountDownLatch(1);

  /** Asks a running {@link #run} to shut down (as SIGTERM does); for tests and embedding. */
  public void stop() {
    stopRequested.countDown();
  }

  /**
   * Reads every fixed-width column of the dataset into its decoded cache, if they fit its budget,
   * then gathers a few hundred random batches so that the JIT has compiled the gather before the
   * first client comes (as the in-RAM bound preloads its arrays before it is timed). Returns a
   * line saying what was done.
   */
  static String preload(WeftDataset dataset) throws java.io.IOException {
    java.util.List<org.apache.arrow.vector.types.pojo.Field> fixed = new java.util.ArrayList<>();
    for (org.apache.arrow.vector.types.pojo.Field f : dataset.schema().getFields()) {
      if (DecodedColumns.supported(f)) {
        fixed.add(f);
      }
    }
    DecodedColumns cache = dataset.decodedColumns();
    DirectBatchWriter w = fixed.isEmpty() || dataset.numRows() == 0 ? null
        : DirectBatchWriter.create(dataset, cache, new org.apache.arrow.vector.types.pojo.Schema(fixed));
    if (w == null) {
      return "not preloading: " + (fixed.isEmpty() ? "no fixed-width columns"
          : dataset.numRows() == 0 ? "no rows" : "the fixed-width columns exceed the decoded cache of "
          + cache.capacityBytes() + " bytes (--decoded-cache); random batches are read with take");
    }
    long t0 = System.nanoTime();
    w.preload();
    long t1 = System.nanoTime();
    int n = (int) Math.min(256, dataset.numRows());
    java.nio.ByteBuffer scratch = java.nio.ByteBuffer.allocateDirect((int) Math.min(Integer.MAX_VALUE - 8,
        w.messageLength(n)));
    long address = org.apache.arrow.memory.util.MemoryUtil.getByteBufferAddress(scratch);
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(1);
    long[] ids = new long[n];
    for (int b = 0; b < 200 && scratch.capacity() >= w.messageLength(n); b++) {
      for (int i = 0; i < n; i++) {
        ids[i] = rnd.nextLong(dataset.numRows());
      }
      w.write(ids, address, scratch.capacity());
    }
    // reading left ~the dataset's size of short-lived garbage: collect it now, so that the heap
    // (and the process's memory) settles near the budget instead of growing into it
    System.gc();
    return String.format(java.util.Locale.ROOT, "preloaded %d fixed-width columns (%d MB decoded) in %.1f s,"
        + " gather warmed up in %.1f s", fixed.size(), cache.heldBytes() >> 20, (t1 - t0) / 1e9,
        (System.nanoTime() - t1) / 1e9);
  }

  /** Runs until stopped; see the class documentation for output and exit codes. */
  public int run(Config c, PrintStream out, PrintStream err) {
    for (FlightLoaderService.Options o : new FlightLoaderService.Options[] {c.flight(), c.ipc()}) {
      if (o != null) {
        try {
          FlightLoaderService.requireSafeBind(o.host(), o.token());
        } catch (IllegalArgumentException e) {
          err.println("error: " + e.getMessage());
          return 2;
        }
      }
    }
    WeftDataset dataset;
    try {
      dataset = WeftDataset.open(c.datasets(), null, c.shm().decodedCacheBytes(), c.shm().blockCacheBytes(),
          c.shm().memoryMap());
    } catch (Exception e) {
      err.println("error: cannot open the dataset: " + e.getMessage());
      return 2; // bad input (a missing or corrupt file), as every weft command reports it
    }
    if (c.shm().preload()) {
      try {
        err.println(preload(dataset));
      } catch (Exception e) {
        err.println("error: cannot read the dataset: " + e.getMessage());
        closeQuietly(dataset);
        return 2;
      }
    }
    LoaderServer server;
    try {
      server = LoaderServer.start(dataset, c.shm());
    } catch (Exception e) {
      err.println("error: cannot start the loader server: " + e.getMessage());
      closeQuietly(dataset);
      return 1;
    }
    FlightLoaderService flight = null;
    if (c.flight() != null) {
      try {
        flight = FlightLoaderService.start(dataset, c.flight(), server.executor());
      } catch (Exception e) {
        err.println("error: cannot start the Flight server: " + e.getMessage());
        closeQuietly(server);
        closeQuietly(dataset);
        return 1;
      }
    }
    IpcLoaderService ipc = null;
    if (c.ipc() != null) {
      try {
        ipc = IpcLoaderService.start(dataset, c.ipc(), server.executor());
      } catch (Exception e) {
        err.println("error: cannot start the Arrow IPC socket server: " + e.getMessage());
        if (flight != null) {
          closeQuietly(flight);
        }
        closeQuietly(server);
        closeQuietly(dataset);
        return 1;
      }
    }
    FlightLoaderService flightRef = flight;
    IpcLoaderService ipcRef = ipc;
    Thread hook = new Thread(() -> {
      stopRequested.countDown();
      try {
        stopped.await(60, TimeUnit.SECONDS); // let run() close everything and print "stopped"
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "weft-serve-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      printAddresses(c, server, flight, ipc, out);
      for (Path p : server.removedStale()) {
        err.println("removed stale " + p);
      }
      err.println("serving " + dataset + " on " + server.socketPath() + (flight == null ? "" : " and " + flight.uri())
          + (ipc == null ? "" : " and " + ipc.uri())
          + ", ring " + server.segmentPath() + " (" + c.shm().slots() + " slots x " + c.shm().slotSize() + " bytes)");
      err.flush();
      statusLoop(c, server, flightRef, ipcRef, out);
    } finally {
      if (ipc != null) {
        closeQuietly(ipc);
      }
      if (flight != null) {
        closeQuietly(flight);
      }
      closeQuietly(server);
      closeQuietly(dataset);
      out.println("stopped");
      out.flush();
      stopped.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // the JVM is shutting down: the hook is what stopped us
      }
    }
    return 0;
  }

  private static void printAddresses(Config c, LoaderServer server, FlightLoaderService flight, IpcLoaderService ipc,
      PrintStream out) {
    if (c.addressLine() == AddressLine.SOCKET_THEN_FLIGHT) {
      out.println(server.socketPath());
      if (flight != null) {
        out.println(flight.uri());
      }
      if (ipc != null) {
        out.println(ipc.uri());
      }
    } else {
      out.println((flight == null ? "" : flight.uri() + " ") + "unix:" + server.socketPath()
          + (ipc == null ? "" : " " + ipc.uri()));
    }
    out.flush();
  }

  private void statusLoop(Config c, LoaderServer server, FlightLoaderService flight, IpcLoaderService ipc,
      PrintStream out) {
    long intervalMs = (long) (c.statusInterval() * 1000);
    LoaderServer.Stats prev = stats(server, flight, ipc);
    long prevT = System.nanoTime();
    try {
      while (true) {
        if (intervalMs <= 0) {
          stopRequested.await();
          return;
        }
        if (stopRequested.await(intervalMs, TimeUnit.MILLISECONDS)) {
          return;
        }
        LoaderServer.Stats now = stats(server, flight, ipc);
        long t = System.nanoTime();
        out.println(statusLine(prev, now, (t - prevT) / 1e9));
        out.flush();
        prev = now;
        prevT = t;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Both transports' counters, added up (Flight streams count as clients and streams). */
  static LoaderServer.Stats stats(LoaderServer server, FlightLoaderService flight) {
    return stats(server, flight, null);
  }

  /** Every transport's counters, added up (socket streams count as clients and streams). */
  static LoaderServer.Stats stats(LoaderServer server, FlightLoaderService flight, IpcLoaderService ipc) {
    LoaderServer.Stats a = server.stats();
    if (flight != null) {
      a = add(a, flight.stats());
    }
    if (ipc != null) {
      a = add(a, ipc.stats());
    }
    return a;
  }

  private static LoaderServer.Stats add(LoaderServer.Stats a, LoaderServer.Stats b) {
    return new LoaderServer.Stats(a.clients() + b.clients(), a.streams() + b.streams(), a.slotsInUse(),
        a.slotsReserved(), a.slots(), a.handedOff(), a.connections() + b.connections(), a.batches() + b.batches(),
        a.rows() + b.rows(), a.bytes() + b.bytes(), a.inlineBatches(), a.waitNanos() + b.waitNanos(),
        a.errors() + b.errors());
  }

  /** One status line: rates over the interval, gauges now. */
  static String statusLine(LoaderServer.Stats a, LoaderServer.Stats b, double seconds) {
    double s = Math.max(seconds, 1e-9);
    return String.format(Locale.ROOT, "status: %.1f batches/s, %s samples/s, %.1f MB/s, %d clients, %d streams,"
        + " %d/%d slots in use (%d reserved), clients waited %.2f s/s, %d errors",
        (b.batches() - a.batches()) / s, human((b.rows() - a.rows()) / s), (b.bytes() - a.bytes()) / s / 1e6,
        b.clients(), b.streams(), b.slotsInUse(), b.slots(), b.slotsReserved(),
        (b.waitNanos() - a.waitNanos()) / 1e9 / s, b.errors());
  }

  private static String human(double v) {
    if (v >= 1e6) {
      return String.format(Locale.ROOT, "%.2fM", v / 1e6);
    }
    if (v >= 1e3) {
      return String.format(Locale.ROOT, "%.1fk", v / 1e3);
    }
    return String.format(Locale.ROOT, "%.0f", v);
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // stopping anyway
    }
  }
}

package dev.weft.loader;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;

/**
 * Runs a {@link LoaderServer} until SIGTERM or SIGINT.
 *
 * <pre>
 * java --add-opens=java.base/java.nio=ALL-UNNAMED -cp ... dev.weft.loader.ServeMain DATASET...
 *     [--socket PATH] [--shm-dir DIR] [--slots N] [--slot-size SIZE] [--token T] [--threads N]
 *     [--max-clients N] [--status-interval SECONDS]
 * </pre>
 *
 * <p>Standard output: the first line is the control socket's path, alone (read it to connect);
 * then a status line every {@code --status-interval} seconds (default 5; 0: none). Errors go to
 * standard error. Exit codes: 0 after a clean shutdown, 1 if the server cannot start, 2 for bad
 * arguments. Sizes accept K, M, G suffixes (powers of 1024), e.g. {@code --slot-size 8M}.
 */
public final class ServeMain {
  private ServeMain() {}

  static final String USAGE = "usage: ServeMain DATASET... [--socket PATH] [--shm-dir DIR] [--slots N]"
      + " [--slot-size SIZE] [--token T] [--threads N] [--max-clients N] [--status-interval SECONDS]";

  public static void main(String[] args) {
    int rc = run(args, System.out, System.err);
    if (rc != 0) {
      System.exit(rc);
    }
  }

  /** Parsed command line. */
  record Args(List<Path> datasets, LoaderServerOptions options, double statusInterval) {}

  static Args parse(String[] args) {
    List<Path> datasets = new ArrayList<>();
    LoaderServerOptions.Builder b = LoaderServerOptions.builder();
    double status = 5;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.startsWith("--")) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(a + " needs a value");
        }
        String v = args[++i];
        switch (a) {
          case "--socket" -> b.socketPath(Path.of(v));
          case "--shm-dir" -> b.shmDir(Path.of(v));
          case "--slots" -> b.slots(parseInt(a, v));
          case "--slot-size" -> b.slotSize(parseSize(a, v));
          case "--token" -> b.token(v);
          case "--threads" -> b.threads(parseInt(a, v));
          case "--max-clients" -> b.maxClients(parseInt(a, v));
          case "--status-interval" -> {
            try {
              status = Double.parseDouble(v);
            } catch (NumberFormatException e) {
              throw new IllegalArgumentException(a + ": not a number: " + v);
            }
            if (!(status >= 0)) {
              throw new IllegalArgumentException(a + " must be >= 0");
            }
          }
          default -> throw new IllegalArgumentException("unknown option " + a);
        }
      } else {
        datasets.add(Path.of(a));
      }
    }
    if (datasets.isEmpty()) {
      throw new IllegalArgumentException("no dataset given");
    }
    return new Args(datasets, b.build(), status);
  }

  private static int parseInt(String opt, String v) {
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(opt + ": not an integer: " + v);
    }
  }

  /** Parses {@code 4096}, {@code 64K}, {@code 8M}, {@code 8MiB}, {@code 1G} (powers of 1024). */
  static long parseSize(String opt, String v) {
    String s = v.trim().toUpperCase(Locale.ROOT);
    if (s.endsWith("IB")) {
      s = s.substring(0, s.length() - 2);
    } else if (s.endsWith("B")) {
      s = s.substring(0, s.length() - 1);
    }
    long mult = 1;
    if (!s.isEmpty()) {
      switch (s.charAt(s.length() - 1)) {
        case 'K' -> mult = 1L << 10;
        case 'M' -> mult = 1L << 20;
        case 'G' -> mult = 1L << 30;
        default -> mult = 1;
      }
      if (mult != 1) {
        s = s.substring(0, s.length() - 1);
      }
    }
    try {
      return Math.multiplyExact(Long.parseLong(s.trim()), mult);
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException(opt + ": not a size: " + v + " (e.g. 4096, 64K, 8M, 1G)");
    }
  }

  static int run(String[] argv, PrintStream out, PrintStream err) {
    Args args;
    try {
      args = parse(argv);
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      err.println(USAGE);
      return 2;
    }
    WeftDataset dataset;
    LoaderServer server;
    try {
      dataset = WeftDataset.open(args.datasets());
    } catch (Exception e) {
      err.println("error: cannot open the dataset: " + e.getMessage());
      return 1;
    }
    try {
      server = LoaderServer.start(dataset, args.options());
    } catch (Exception e) {
      err.println("error: cannot start the loader server: " + e.getMessage());
      closeQuietly(dataset);
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        server.close();
      } catch (Exception e) {
        err.println("error while stopping: " + e.getMessage());
      }
      closeQuietly(dataset);
      out.println("stopped");
      out.flush();
      stopped.countDown();
    }, "weft-serve-shutdown"));
    out.println(server.socketPath());
    out.flush();
    for (Path p : server.removedStale()) {
      err.println("removed stale " + p);
    }
    err.println("serving " + dataset + " on " + server.socketPath() + ", ring " + server.segmentPath() + " ("
        + args.options().slots() + " slots x " + args.options().slotSize() + " bytes)");
    err.flush();
    long intervalMs = (long) (args.statusInterval() * 1000);
    LoaderServer.Stats prev = server.stats();
    long prevT = System.nanoTime();
    try {
      while (true) {
        if (intervalMs <= 0) {
          stopped.await();
          return 0;
        }
        if (stopped.await(intervalMs, java.util.concurrent.TimeUnit.MILLISECONDS)) {
          return 0;
        }
        LoaderServer.Stats now = server.stats();
        long t = System.nanoTime();
        out.println(statusLine(prev, now, (t - prevT) / 1e9));
        out.flush();
        prev = now;
        prevT = t;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }

  /** One status line: rates over the interval, gauges now. */
  static String statusLine(LoaderServer.Stats a, LoaderServer.Stats b, double seconds) {
    double s = Math.max(seconds, 1e-9);
    return String.format(Locale.ROOT, "status: %.1f batches/s, %s samples/s, %.1f MB/s, %d clients, %d streams,"
        + " %d/%d slots in use (%d reserved), clients waited %.2f s/s, %d errors",
        (b.batches() - a.batches()) / s, human((b.rows() - a.rows()) / s), (b.bytes() - a.bytes()) / s / 1e6,
        b.clients(), b.streams(), b.slotsInUse(), b.slots(), b.slotsReserved(), (b.waitNanos() - a.waitNanos()) / 1e9 / s, b.errors());
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

  private static void closeQuietly(WeftDataset ds) {
    try {
      ds.close();
    } catch (Exception ignored) {
      // exiting
    }
  }
}

package dev.weft.loader;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Runs a {@link LoaderServer} until SIGTERM or SIGINT.
 *
 * <pre>
 * java --add-opens=java.base/java.nio=ALL-UNNAMED -cp ... dev.weft.loader.ServeMain DATASET...
 *     [--socket PATH] [--shm-dir DIR] [--slots N] [--slot-size SIZE] [--token T] [--threads N]
 *     [--max-clients N] [--status-interval SECONDS] [--port N] [--ipc-port N] [--host H] [--max-streams N]
 *     [--decoded-cache SIZE] [--preload true|false] [--block-cache SIZE] [--mmap true|false]
 * </pre>
 *
 * <p>Standard output: the first line is the control socket's path, alone (read it to connect);
 * with {@code --port} (the Arrow Flight socket transport, on {@code --host}, default 127.0.0.1;
 * port 0: a free one) the second line is the Flight location, {@code grpc+tcp://HOST:PORT}; with
 * {@code --ipc-port} (the Arrow IPC socket transport, {@link IpcLoaderService}, same host) the next
 * line is its location, {@code ipc+tcp://HOST:PORT}; then a status line every {@code --status-interval} seconds (default 5; 0: none). Errors go to
 * standard error. Exit codes: 0 after a clean shutdown, 1 if the server cannot start, 2 for bad
 * arguments (also a non-loopback {@code --host} without {@code --token}). {@code --decoded-cache}
 * is the budget of decoded fixed-width column values ({@link DecodedColumns}, default 1 GiB or a
 * half the heap; 0: none); with {@code --preload true} (default) they are read before the
 * first line is printed, when they fit. {@code --block-cache} is the budget of decoded mini-blocks
 * ({@link WeftDataset#BLOCK_CACHE_BYTES} by default). {@code --mmap true} memory-maps the files
 * instead of reading them with positional reads (default false: then the file pages the server
 * touches are not in its resident memory; see README, "Memory"). Sizes accept K, M, G suffixes (powers of 1024), e.g. {@code --slot-size 8M}.
 */
public final class ServeMain {
  private ServeMain() {}

  static final String USAGE = "usage: ServeMain DATASET... [--socket PATH] [--shm-dir DIR] [--slots N]"
      + " [--slot-size SIZE] [--token T] [--threads N] [--max-clients N] [--status-interval SECONDS]"
      + " [--port N] [--ipc-port N] [--host H] [--max-streams N] [--decoded-cache SIZE] [--preload true|false]"
      + " [--block-cache SIZE] [--mmap true|false]";

  public static void main(String[] args) {
    int rc = run(args, System.out, System.err);
    if (rc != 0) {
      System.exit(rc);
    }
  }

  /** Parsed command line; {@code flight} is null without {@code --port}. */
  record Args(List<Path> datasets, LoaderServerOptions options, FlightLoaderService.Options flight,
      double statusInterval, FlightLoaderService.Options ipc) {
    Args(List<Path> datasets, LoaderServerOptions options, FlightLoaderService.Options flight, double statusInterval) {
      this(datasets, options, flight, statusInterval, null);
    }
  }

  static Args parse(String[] args) {
    List<Path> datasets = new ArrayList<>();
    LoaderServerOptions.Builder b = LoaderServerOptions.builder();
    double status = 5;
    String host = "127.0.0.1";
    Integer port = null;
    Integer ipcPort = null;
    String token = null;
    int maxStreams = FlightLoaderService.DEFAULT_MAX_STREAMS;
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
          case "--token" -> {
            b.token(v);
            token = v;
          }
          case "--host" -> host = v;
          case "--port" -> port = parseInt(a, v);
          case "--ipc-port" -> ipcPort = parseInt(a, v);
          case "--max-streams" -> maxStreams = parseInt(a, v);
          case "--threads" -> b.threads(parseInt(a, v));
          case "--max-clients" -> b.maxClients(parseInt(a, v));
          case "--decoded-cache" -> b.decodedCacheBytes(parseSize(a, v));
          case "--preload" -> b.preload(parseBool(a, v));
          case "--block-cache" -> b.blockCacheBytes(parseSize(a, v));
          case "--mmap" -> b.memoryMap(parseBool(a, v));
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
    FlightLoaderService.Options flight = port == null ? null
        : new FlightLoaderService.Options(host, port, token, maxStreams);
    FlightLoaderService.Options ipc = ipcPort == null ? null
        : new FlightLoaderService.Options(host, ipcPort, token, maxStreams);
    return new Args(datasets, b.build(), flight, status, ipc);
  }

  private static boolean parseBool(String opt, String v) {
    if (!v.equals("true") && !v.equals("false")) {
      throw new IllegalArgumentException(opt + " must be true or false, got " + v);
    }
    return Boolean.parseBoolean(v);
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
    return new ServeRunner().run(new ServeRunner.Config(args.datasets(), args.options(), args.flight(), args.ipc(),
        args.statusInterval(), ServeRunner.AddressLine.SOCKET_THEN_FLIGHT), out, err);
  }

  /** One status line: rates over the interval, gauges now. */
  static String statusLine(LoaderServer.Stats a, LoaderServer.Stats b, double seconds) {
    return ServeRunner.statusLine(a, b, seconds);
  }
}

package dev.weft.cli.commands;

import dev.weft.cli.WeftCli;
import dev.weft.loader.FlightLoaderService;
import dev.weft.loader.LoaderServerOptions;
import dev.weft.loader.ServeRunner;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code weft serve DATASET... [--host H] [--port N] [--shm-dir DIR] [--token T]
 * [--decoded-cache SIZE] [--preload true|false] [--block-cache SIZE] [--mmap true|false]}: the loader
 * server, over shared memory (same host) and Arrow Flight (TCP), until SIGTERM or SIGINT. See
 * loader-server/PROTOCOL.md.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    versionProvider = dev.weft.cli.WeftVersion.class,
    description = {
      "Serve training batches of Weft datasets: deterministic global shuffle, sharding by rank and"
          + " DataLoader worker, resume, over shared memory (clients on this host) and Arrow Flight"
          + " (pyarrow.flight, WeftFlightClient).",
      "The first line of output lists the addresses: the Flight location, then the Unix socket as"
          + " unix:PATH, then the Arrow IPC socket transport's ipc+tcp://HOST:PORT. Then a status line every few seconds. Stops cleanly on SIGTERM or Ctrl-C"
          + " (removes its shared-memory ring and socket).",
      "Security: listens on 127.0.0.1 unless --host says otherwise; another address needs --token"
          + " (clients send 'authorization: Bearer TOKEN'), else exit status 2.",
      "Memory does not grow with the dataset: the files are read with positional reads (not mapped,"
          + " unless --mmap true), and its memory is about: JVM base (~150 MB) + Java heap (bin/weft sets -Xmx to"
          + " --decoded-cache + --block-cache + 768 MiB, 2 GiB by default; WEFT_SERVE_HEAP overrides) + --slots x"
          + " --slot-size (the ring in --shm-dir) + per socket stream up to 1 + prefetch batches"
          + " (loader-server/README.md, \"Memory\")."
    },
    footer = {
      "",
      "Examples:",
      "  weft serve train/",
      "  weft serve train/ --port 0                  # a free port; read it from the first line",
      "  weft serve train/ --decoded-cache 4G        # keep more decoded columns for random batches",
      "  weft serve a.weft b.weft --host 0.0.0.0 --port 8815 --token \"$(cat token)\"",
      "",
      "Python: pyarrow.flight.connect(LOCATION).do_get(Ticket(b'{\"v\": 1, \"batch_size\": 256}'))",
      "(the ticket's keys: loader-server/PROTOCOL.md section 12)."
    })
public final class ServeCommand implements Callable<Integer> {
  /** The default Flight port (the port Arrow Flight's examples use). */
  public static final int DEFAULT_PORT = 8815;

  @ParentCommand WeftCli root;

  @Parameters(arity = "1..*", paramLabel = "DATASET",
      description = ".weft files or directories of them, served as one dataset (in this order).")
  List<Path> datasets;

  @Option(names = "--host", paramLabel = "H", defaultValue = "127.0.0.1",
      description = "Address the Flight server binds (default: ${DEFAULT-VALUE}); not loopback needs --token.")
  String host;

  @Option(names = "--port", paramLabel = "N", defaultValue = "" + DEFAULT_PORT,
      description = "Flight TCP port (default: ${DEFAULT-VALUE}; 0: a free port).")
  int port;

  @Option(names = "--ipc-port", paramLabel = "N",
      description = "TCP port of the plain Arrow IPC socket transport (faster than Flight; pyarrow.ipc,"
          + " WeftIpcClient, the Python shim's transport='socket'; default: --port + 1, a free one when"
          + " --port is 0; -1: off).")
  Integer ipcPort;

  @Option(names = "--shm-dir", paramLabel = "DIR", defaultValue = "/dev/shm",
      description = "Where the shared-memory ring lives (default: ${DEFAULT-VALUE}).")
  Path shmDir;

  @Option(names = "--token", paramLabel = "T",
      description = "Clients must present this token (Flight: header 'authorization: Bearer T'; shm: HELLO).")
  String token;

  @Option(names = "--socket", paramLabel = "PATH",
      description = "The Unix control socket (default: a new name in the temp directory).")
  Path socket;

  @Option(names = "--slots", paramLabel = "N", defaultValue = "" + LoaderServerOptions.DEFAULT_SLOTS,
      description = "Shared-memory ring slots (default: ${DEFAULT-VALUE}).")
  int slots;

  @Option(names = "--slot-size", paramLabel = "SIZE", defaultValue = "4M",
      description = "Bytes per ring slot, e.g. 4M (default: ${DEFAULT-VALUE}).")
  String slotSize;

  @Option(names = "--threads", paramLabel = "N",
      description = "Batch assembly threads (default: one per core).")
  Integer threads;

  @Option(names = "--max-clients", paramLabel = "N", defaultValue = "" + LoaderServerOptions.DEFAULT_MAX_CLIENTS,
      description = "Shared-memory clients at once (default: ${DEFAULT-VALUE}).")
  int maxClients;

  @Option(names = "--max-streams", paramLabel = "N", defaultValue = "" + FlightLoaderService.DEFAULT_MAX_STREAMS,
      description = "Flight streams at once (default: ${DEFAULT-VALUE}).")
  int maxStreams;

  @Option(names = "--decoded-cache", paramLabel = "SIZE",
      description = "Memory for decoded fixed-width column values that random batches are gathered from,"
          + " e.g. 512M (default: 1G or half the JVM heap, whichever is smaller; 0: none, every"
          + " batch is read with take).")
  String decodedCache;

  @Option(names = "--preload", paramLabel = "true|false", arity = "1", defaultValue = "true",
      description = "Read the fixed-width columns into the decoded cache before printing the address line,"
          + " when they fit (default: ${DEFAULT-VALUE}).")
  boolean preload;

  @Option(names = "--block-cache", paramLabel = "SIZE",
      description = "Memory for decoded blocks of the files, shared by all files (random batches that are not"
          + " gathered from the decoded cache), e.g. 128M (default: 256M or an eighth of the JVM heap,"
          + " whichever is smaller; 0: none).")
  String blockCache;

  @Option(names = "--mmap", paramLabel = "true|false", arity = "1", defaultValue = "false",
      description = "Memory-map the files instead of reading them with positional reads (default:"
          + " ${DEFAULT-VALUE}; mapped pages the server touches count in its resident memory).")
  boolean mmap;

  @Option(names = "--status-interval", paramLabel = "SECONDS", defaultValue = "5",
      description = "Seconds between status lines (default: ${DEFAULT-VALUE}; 0: none).")
  double statusInterval;

  @Override
  public Integer call() {
    PrintStream out = new PrintStream(root.stdout(), true, StandardCharsets.UTF_8);
    PrintStream err = new PrintStream(new WriterStream(root), true, StandardCharsets.UTF_8);
    ServeRunner.Config config;
    try {
      LoaderServerOptions.Builder b = LoaderServerOptions.builder().shmDir(shmDir).slots(slots)
          .slotSize(parseSize("--slot-size", slotSize)).maxClients(maxClients).token(token).preload(preload)
          .memoryMap(mmap);
      if (blockCache != null) {
        b.blockCacheBytes(parseSize("--block-cache", blockCache));
      }
      if (decodedCache != null) {
        b.decodedCacheBytes(parseSize("--decoded-cache", decodedCache));
      }
      if (socket != null) {
        b.socketPath(socket);
      }
      if (threads != null) {
        b.threads(threads);
      }
      if (!(statusInterval >= 0)) {
        throw new IllegalArgumentException("--status-interval must be >= 0");
      }
      int ipc = ipcPort != null ? ipcPort : port == 0 ? 0 : port + 1;
      if (ipc < -1 || ipc > 65535) {
        throw new IllegalArgumentException("--ipc-port must be in [0, 65535], or -1 for none");
      }
      config = new ServeRunner.Config(datasets, b.build(),
          new FlightLoaderService.Options(host, port, token, maxStreams),
          ipc < 0 ? null : new FlightLoaderService.Options(host, ipc, token, maxStreams), statusInterval,
          ServeRunner.AddressLine.ALL_ON_FIRST_LINE);
    } catch (IllegalArgumentException e) {
      err.println("weft serve: " + e.getMessage());
      return WeftCli.EXIT_BAD_INPUT;
    }
    return new ServeRunner().run(config, out, err);
  }

  /** {@code 4096}, {@code 64K}, {@code 8M}, {@code 1G} (powers of 1024). */
  static long parseSize(String option, String v) {
    String s = v.trim().toUpperCase(Locale.ROOT).replaceAll("I?B$", "");
    long mult = 1;
    if (s.endsWith("K")) {
      mult = 1L << 10;
    } else if (s.endsWith("M")) {
      mult = 1L << 20;
    } else if (s.endsWith("G")) {
      mult = 1L << 30;
    }
    if (mult != 1) {
      s = s.substring(0, s.length() - 1);
    }
    try {
      return Math.multiplyExact(Long.parseLong(s.trim()), mult);
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException(option + ": not a size: " + v + " (e.g. 4096, 64K, 8M, 1G)");
    }
  }

  /** Standard error of the CLI (a writer) as a byte stream for {@link ServeRunner}. */
  private static final class WriterStream extends java.io.OutputStream {
    private final WeftCli root;
    private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();

    WriterStream(WeftCli root) {
      this.root = root;
    }

    @Override
    public synchronized void write(int b) {
      line.write(b);
      if (b == '\n') {
        flush();
      }
    }

    @Override
    public synchronized void flush() {
      if (line.size() > 0) {
        root.stderr().print(line.toString(StandardCharsets.UTF_8));
        root.stderr().flush();
        line.reset();
      }
    }
  }
}

package dev.weft.loader;

import dev.weft.format.Codec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Throughput of the socket transports (Arrow Flight and Arrow IPC over TCP on 127.0.0.1; target
 * >= 1 GB/s) on a 1,000,000-row, 10-column numeric file (uncompressed; {@link
 * AssemblyBenchmark#schema()}, 80 bytes a row): MB/s of Arrow record-batch bodies and samples/s,
 * median of 5 repeats ({@code -Dweft.bench.repeats=N}) in interleaved rounds, for the whole server
 * (batch assembly included, so this is a lower bound of the transport), next to the
 * shared-memory transport as the peer. Clients: {@link WeftFlightClient} / {@link WeftIpcClient}
 * / {@link WeftLoaderClient} in this JVM, and pyarrow.flight / pyarrow.ipc in another process if a
 * Python with pyarrow is found (see {@link FlightPythonTest}): pyarrow.ipc over {@code
 * socket.makefile} and the Python shim's client ({@code weft._ipc}); "before" contenders run the
 * IPC server's earlier path (fresh vectors per batch, {@code IpcLoaderService.reuseBuffers} false)
 * in the same rounds. Prints, asserts nothing. Off by
 * default: {@code mvn -B -o -pl loader-server -am test -Dtest=FlightTransportBenchmark
 * -Dweft.bench=true -Dsurefire.failIfNoSpecifiedTests=false} ({@code -Dweft.bench.batch=65536}: one
 * batch size only).
 */
@EnabledIfSystemProperty(named = "weft.bench", matches = "true")
class FlightTransportBenchmark {
  private static final int REPEATS = Integer.getInteger("weft.bench.repeats", 5);
  /** Bytes each timed run reads (about). */
  private static final long RUN_BYTES = 200L << 20;

  @TempDir Path dir;

  private static StreamRequest request(int batch, ShuffleOptions shuffle, int worker, int workers) {
    return StreamRequest.builder().batchSize(batch).shuffle(shuffle).worker(worker).numWorkers(workers)
        .maxInFlight(4).prefetch(4).build();
  }

  private static long flightDrain(WeftFlightClient c, StreamRequest r, long limit) throws Exception {
    long rows = 0;
    try (WeftFlightClient.Stream s = c.openStream(r)) {
      for (long i = 0; i < limit; i++) {
        try (WeftBatch b = s.next()) {
          if (b == null) {
            break;
          }
          rows += b.rowCount();
        }
      }
    }
    return rows;
  }

  /** One timed run: rows read and seconds; bytes from the server's counter. */
  private record Run(double mbPerS, double samplesPerS) {}

  private interface Body {
    long run() throws Exception; // rows
  }

  private static long ipcDrain(WeftIpcClient c, StreamRequest r, long limit) throws Exception {
    long rows = 0;
    try (WeftIpcClient.Stream s = c.openStream(r)) {
      for (long i = 0; i < limit; i++) {
        try (WeftBatch b = s.next()) {
          if (b == null) {
            break;
          }
          rows += b.rowCount();
        }
      }
    }
    return rows;
  }

  private static LoaderServer shmRef;
  private static FlightLoaderService flightRef;
  private static IpcLoaderService ipcRef;

  private static long servedBytes() {
    return shmRef.stats().bytes() + flightRef.stats().bytes() + ipcRef.stats().bytes();
  }

  private static Run time(LoaderServer shm, FlightLoaderService flight, Body body) throws Exception {
    long b0 = servedBytes();
    long t0 = System.nanoTime();
    long rows = body.run();
    double s = (System.nanoTime() - t0) / 1e9;
    long bytes = servedBytes() - b0;
    return new Run(bytes / s / 1e6, rows / s);
  }

  private static void report(String what, List<Run> runs) {
    double[] mb = runs.stream().mapToDouble(Run::mbPerS).sorted().toArray();
    double[] sp = runs.stream().mapToDouble(Run::samplesPerS).sorted().toArray();
    System.out.printf("  %-58s median %8.0f MB/s %11.0f samples/s   (MB/s runs %s)%n", what, mb[mb.length / 2],
        sp[sp.length / 2], Arrays.toString(Arrays.stream(mb).mapToLong(Math::round).toArray()));
  }

  @Test
  void run() throws Exception {
    Path file = dir.resolve("numeric.weft");
    Path python = FlightPythonTest.python();
    Path script = FlightPythonTest.script().resolveSibling("flight_bench.py");
    try (BufferAllocator alloc = new RootAllocator()) {
      AssemblyBenchmark.write(file, 0, 1_000_000, Codec.NONE, alloc);
      try (WeftDataset ds = WeftDataset.open(List.of(file), alloc);
          LoaderServer shm = LoaderServer.start(ds, LoaderServerOptions.builder().slots(64).slotSize(8 << 20).build());
          FlightLoaderService flight = FlightLoaderService.start(ds, FlightLoaderService.Options.loopback(),
              shm.executor());
          IpcLoaderService ipc = IpcLoaderService.start(ds, FlightLoaderService.Options.loopback(), shm.executor());
          BufferAllocator ca = new RootAllocator();
          WeftFlightClient fc = WeftFlightClient.connect(flight.uri(), null, ca);
          WeftIpcClient ic = WeftIpcClient.connect(ipc.uri(), null, ca);
          WeftLoaderClient sc = WeftLoaderClient.connect(shm.socketPath(), ca)) {
        shmRef = shm;
        flightRef = flight;
        ipcRef = ipc;
        System.out.println(ds.numRows() + " rows, " + Runtime.getRuntime().availableProcessors() + " cores, " + flight.uri()
            + (python == null ? ", no pyarrow" : ", pyarrow: " + python));
        for (Object[] c : new Object[][] {{ShuffleOptions.none(), 65536}, {ShuffleOptions.none(), 8192},
            {ShuffleOptions.none(), 256}, {ShuffleOptions.global(1), 256}}) {
          ShuffleOptions shuffle = (ShuffleOptions) c[0];
          int batch = (Integer) c[1];
          Integer only = Integer.getInteger("weft.bench.batch"); // one batch size only
          if (only != null && only != batch) {
            continue;
          }
          System.out.println(shuffle + ", batch " + batch + " rows (" + (batch * 80 / 1024)
              + " KiB)");
          long limit = Math.max(10, Math.min(2000, RUN_BYTES / (batch * 80L)));
          flightDrain(fc, request(batch, shuffle, 0, 1), limit / 4); // warm-up
          ipcDrain(ic, request(batch, shuffle, 0, 1), limit / 4);
          // interleaved rounds: every contender once per round
          List<Run> flightJava = new ArrayList<>();
          List<Run> ipcJava = new ArrayList<>();
          List<Run> shmJava = new ArrayList<>();
          List<Run> flightPy = new ArrayList<>();
          List<Run> ipcPy = new ArrayList<>();
          List<Run> ipcShim = new ArrayList<>();
          List<Run> ipcJavaFresh = new ArrayList<>();
          List<Run> ipcPyBefore = new ArrayList<>();
          StreamRequest r = request(batch, shuffle, 0, 1);
          String ticket = new String(FlightTicket.encode(null, r), StandardCharsets.UTF_8);
          for (int i = 0; i < REPEATS; i++) {
            flightJava.add(time(shm, flight, () -> flightDrain(fc, r, limit)));
            ipcJava.add(time(shm, flight, () -> ipcDrain(ic, r, limit)));
            IpcLoaderService.reuseBuffers = false; // the earlier server path: fresh vectors per batch
            try {
              ipcJavaFresh.add(time(shm, flight, () -> ipcDrain(ic, r, limit)));
              if (python != null) {
                ipcPyBefore.add(pythonRun(python, List.of(script.toString(), "--ipc", "127.0.0.1",
                    Integer.toString(ipc.port()), "{\"v\":1,\"ticket\":" + ticket + "}", Long.toString(limit))));
              }
            } finally {
              IpcLoaderService.reuseBuffers = true;
            }
            shmJava.add(time(shm, flight, () -> TransportBenchmark.drain(sc, r, (int) limit)));
            if (python != null) {
              flightPy.add(pythonRun(python, List.of(script.toString(), flight.uri(), ticket, Long.toString(limit))));
              ipcPy.add(pythonRun(python, List.of(script.toString(), "--ipc", "127.0.0.1",
                  Integer.toString(ipc.port()), "{\"v\":1,\"ticket\":" + ticket + "}", Long.toString(limit))));
              ipcShim.add(pythonRun(python, List.of(script.toString(), "--shim", "127.0.0.1",
                  Integer.toString(ipc.port()), "{\"v\":1,\"ticket\":" + ticket + "}", Long.toString(limit))));
            }
          }
          report("flight, WeftFlightClient, same JVM, 1 stream", flightJava);
          report("arrow ipc/tcp, WeftIpcClient, same JVM, 1 stream", ipcJava);
          report("arrow ipc/tcp, WeftIpcClient, server: fresh vectors per batch (before)", ipcJavaFresh);
          report("shm, WeftLoaderClient, same JVM, 1 stream (peer)", shmJava);
          if (python != null) {
            report("flight, pyarrow.flight, another process, 1 stream", flightPy);
            report("arrow ipc/tcp, pyarrow.ipc over makefile + fresh vectors (before)", ipcPyBefore);
            report("arrow ipc/tcp, pyarrow.ipc over makefile, another process, 1 stream", ipcPy);
            report("arrow ipc/tcp, python shim (weft._ipc), another process, 1 stream", ipcShim);
          }
        }
      }
    }
  }

  /** One timed read by a Python process ({@code flight_bench.py} with {@code args}). */
  private static Run pythonRun(Path python, List<String> args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(python.toString());
    cmd.addAll(args);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    for (String line : out.split("\n")) {
      if (line.startsWith("RESULT ")) {
        String[] f = line.split(" ");
        double s = Double.parseDouble(f[4]);
        return new Run(Long.parseLong(f[3]) / s / 1e6, Long.parseLong(f[2]) / s);
      }
    }
    throw new AssertionError("python printed: " + out);
  }
}

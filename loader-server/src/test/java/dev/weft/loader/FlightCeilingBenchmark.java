package dev.weft.loader;

import dev.weft.format.Codec;
import java.io.ByteArrayOutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.flight.BackpressureStrategy;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.NoOpFlightProducer;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.ReadChannel;
import org.apache.arrow.vector.ipc.WriteChannel;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.util.ByteArrayReadableSeekableByteChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the Flight path itself carries on loopback, without batch assembly (the reader's take,
 * which bounds {@link FlightTransportBenchmark}): a producer that sends a batch of the
 * benchmark's dataset {@code n} times, each time in fresh buffers (one memcpy, as a newly
 * assembled batch would be) and exactly as {@link FlightProducerImpl} sends it (VectorLoader into
 * the stream's root, zero copy, JSON tag, {@link ReadyWaiter} backpressure). MB/s of record-batch
 * bodies, median of 5. Off by default: {@code mvn -B -o -pl loader-server -am test
 * -Dtest=FlightCeilingBenchmark -Dweft.bench=true -Dsurefire.failIfNoSpecifiedTests=false}
 * The peer, in the same run: the same bytes over a plain loopback TCP socket into a Python
 * process ({@code recv_into} one reused buffer), the most any socket transport gets on the machine.
 * [{@code -Dweft.bench.mb=600}: MB per run; {@code -Dweft.bench.arrowBackpressure=true}: Arrow's
 * CallbackBackpressureStrategy instead, ~20x slower here; {@code -Dweft.bench.copy=true}: no zero copy;
 * {@code -Dweft.bench.flowWindow=BYTES}: the server's gRPC flow-control window (through the
 * {@code grpc.builderConsumer} transport hint); {@code -Dweft.bench.backpressure=BYTES}: the
 * server's backpressure (on-ready) threshold].
 */
@EnabledIfSystemProperty(named = "weft.bench", matches = "true")
class FlightCeilingBenchmark {
  private static final int REPEATS = 5;

  @TempDir Path dir;

  @Test
  void run() throws Exception {
    Path file = dir.resolve("numeric.weft");
    Path python = FlightPythonTest.python();
    Path script = FlightPythonTest.script().resolveSibling("flight_bench.py");
    try (BufferAllocator alloc = new RootAllocator()) {
      AssemblyBenchmark.write(file, 0, 100_000, Codec.NONE, alloc);
      try (WeftDataset ds = WeftDataset.open(List.of(file), alloc)) {
        System.out.println(Runtime.getRuntime().availableProcessors() + " cores"
            + (python == null ? ", no pyarrow" : ", pyarrow: " + python));
        for (int batch : new int[] {8192, 65536}) {
          ceiling(ds, batch, python, script);
        }
      }
    }
  }

  /** MB/s of {@code n} copies of {@code message} sent over a plain loopback TCP socket to Python. */
  private static double rawTcp(Path python, Path script, byte[] message, long n) throws Exception {
    try (java.nio.channels.ServerSocketChannel ss = java.nio.channels.ServerSocketChannel.open()) {
      ss.bind(new java.net.InetSocketAddress("127.0.0.1", 0));
      int port = ((java.net.InetSocketAddress) ss.getLocalAddress()).getPort();
      Process p = new ProcessBuilder(python.toString(), script.toString(), "--raw", "127.0.0.1",
          Integer.toString(port)).redirectErrorStream(true).start();
      java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocateDirect(message.length);
      buf.put(message).flip();
      try (java.nio.channels.SocketChannel ch = ss.accept()) {
        for (long i = 0; i < n; i++) {
          buf.rewind();
          while (buf.hasRemaining()) {
            ch.write(buf);
          }
        }
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor();
      for (String line : out.split("\n")) {
        if (line.startsWith("RESULT ")) {
          String[] f = line.split(" ");
          return Long.parseLong(f[3]) / Double.parseDouble(f[4]) / 1e6;
        }
      }
      throw new AssertionError("raw TCP reader printed: " + out);
    }
  }

  /** MB/s of one pyarrow.flight read of {@code n} batches. */
  private static double pyFlight(Path python, Path script, int port, String ticket, long n) throws Exception {
    Process p = new ProcessBuilder(python.toString(), script.toString(), "grpc+tcp://127.0.0.1:" + port, ticket,
        Long.toString(n)).redirectErrorStream(true).start();
    return result(p);
  }

  private static double result(Process p) throws Exception {
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    for (String line : out.split("\n")) {
      if (line.startsWith("RESULT ")) {
        String[] f = line.split(" ");
        return Long.parseLong(f[3]) / Double.parseDouble(f[4]) / 1e6;
      }
    }
    throw new AssertionError("python printed: " + out);
  }

  /**
   * MB/s of the Arrow IPC socket path alone: {@code n} fresh copies of the batch written as
   * {@link IpcLoaderService} writes them ({@link IpcStreamWriter}, tags in custom metadata) to a
   * Python process reading them with {@code pyarrow.ipc.open_stream} as the python-shim does.
   */
  private static double ipcPeer(Path python, Path script, org.apache.arrow.vector.types.pojo.Schema schema, byte[] ipc,
      long n, BufferAllocator sa) throws Exception {
    try (java.nio.channels.ServerSocketChannel ss = java.nio.channels.ServerSocketChannel.open()) {
      ss.bind(new java.net.InetSocketAddress("127.0.0.1", 0));
      int port = ((java.net.InetSocketAddress) ss.getLocalAddress()).getPort();
      Process p = new ProcessBuilder(python.toString(), script.toString(), "--ipc", "127.0.0.1",
          Integer.toString(port), "{\"v\":1}", Long.toString(n)).redirectErrorStream(true).start();
      try (java.nio.channels.SocketChannel ch = ss.accept()) {
        ch.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true); // as IpcLoaderService
        java.nio.ByteBuffer one = java.nio.ByteBuffer.allocate(1);
        do { // the request line
          one.clear();
          if (ch.read(one) < 0) {
            break;
          }
        } while (one.get(0) != '\n');
        ch.write(java.nio.ByteBuffer.wrap("OK\n".getBytes(StandardCharsets.UTF_8)));
        IpcStreamWriter w = new IpcStreamWriter(ch);
        w.writeSchema(schema);
        for (long i = 0; i < n; i++) {
          try (ArrowRecordBatch fresh = MessageSerializer.deserializeRecordBatch(
              new ReadChannel(new ByteArrayReadableSeekableByteChannel(ipc)), sa)) {
            w.writeBatch(fresh, FlightTicket.tagJson(new BatchTag(null, 0, i, i), i + 1, fresh.getLength()));
          }
        }
        w.writeEnd();
      }
      return result(p);
    }
  }

  private static void ceiling(WeftDataset ds, int batch, Path python, Path script) throws Exception {
    long n = Math.max(20, Long.getLong("weft.bench.mb", 600) * (1L << 20) / (batch * 80L));
    long[] ids = new long[batch];
    Arrays.setAll(ids, i -> i);
    byte[] ipc;
    long body;
    try (VectorSchemaRoot prebuilt = new BatchAssembler(ds, null).assemble(ids);
        ArrowRecordBatch arb = new VectorUnloader(prebuilt).getRecordBatch()) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      MessageSerializer.serialize(new WriteChannel(Channels.newChannel(out)), arb);
      ipc = out.toByteArray();
      body = arb.computeBodyLength();
    }
    org.apache.arrow.vector.types.pojo.Schema schema = new BatchAssembler(ds, null).schema();
    System.out.println("batch " + batch + " rows, " + body / 1024 + " KiB body, sent " + n + " times");
    try (BufferAllocator sa = ds.allocator().newChildAllocator("ceiling", 0, Long.MAX_VALUE)) {
      NoOpFlightProducer producer = new NoOpFlightProducer() {
        @Override
        public void getStream(CallContext context, Ticket ticket, ServerStreamListener listener) {
          long count = Long.parseLong(new String(ticket.getBytes(), StandardCharsets.UTF_8).replaceAll("\\D", ""));
          BackpressureStrategy bp = null;
          ReadyWaiter ready = null;
          if (Boolean.getBoolean("weft.bench.arrowBackpressure")) {
            bp = new BackpressureStrategy.CallbackBackpressureStrategy();
            bp.register(listener);
          } else {
            ready = new ReadyWaiter(listener);
          }
          try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, sa)) {
            listener.setUseZeroCopy(!Boolean.getBoolean("weft.bench.copy"));
            listener.start(root);
            for (long i = 0; i < count; i++) {
              try (ArrowRecordBatch fresh = MessageSerializer.deserializeRecordBatch(
                  new ReadChannel(new ByteArrayReadableSeekableByteChannel(ipc)), sa)) {
                new VectorLoader(root).load(fresh);
              }
              if (Boolean.getBoolean("weft.bench.arrowBackpressure")) { // Arrow's strategy, for comparison
                while (true) {
                  BackpressureStrategy.WaitResult r = bp.waitForListener(1000);
                  if (r == BackpressureStrategy.WaitResult.READY) {
                    break;
                  }
                  if (r == BackpressureStrategy.WaitResult.CANCELLED || listener.isCancelled()) {
                    return;
                  }
                }
              } else {
                while (!ready.await(1000)) {
                  if (listener.isCancelled()) {
                    return;
                  }
                }
              }
              byte[] tag = FlightTicket.tagJson(new BatchTag(null, 0, i, i * batch), (i + 1) * batch, batch);
              ArrowBuf meta = sa.buffer(tag.length);
              meta.setBytes(0, tag);
              meta.writerIndex(tag.length);
              listener.putNext(meta);
            }
            listener.completed();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } catch (java.io.IOException | RuntimeException | Error e) {
            listener.error(CallStatus.INTERNAL.withDescription(e.toString()).toRuntimeException());
          }
        }
      };
      FlightServer.Builder sb = FlightServer.builder(sa, Location.forGrpcInsecure("127.0.0.1", 0), producer);
      Integer window = Integer.getInteger("weft.bench.flowWindow"); // gRPC server options, to try
      if (window != null) {
        java.util.function.Consumer<io.grpc.netty.NettyServerBuilder> tune = nb -> nb.flowControlWindow(window);
        sb.transportHint("grpc.builderConsumer", tune);
      }
      Integer threshold = Integer.getInteger("weft.bench.backpressure");
      if (threshold != null) {
        sb.backpressureThreshold(threshold);
      }
      System.out.println("  server options: flowWindow " + window + ", backpressureThreshold " + threshold);
      FlightServer server = sb.build().start();
      try (BufferAllocator ca = new RootAllocator();
          FlightClient client = FlightClient.builder(ca, Location.forGrpcInsecure("127.0.0.1", server.getPort()))
              .build()) {
        String ticket = "{\"n\":" + n + "}";
        double[] mb = new double[REPEATS];
        for (int i = -1; i < REPEATS; i++) {
          long t0 = System.nanoTime();
          long got = 0;
          try (FlightStream fs = client.getStream(new Ticket(ticket.getBytes(StandardCharsets.UTF_8)))) {
            while (fs.next()) {
              got++;
            }
          }
          double s = (System.nanoTime() - t0) / 1e9;
          if (i >= 0) {
            mb[i] = got * body / s / 1e6;
          }
        }
        Arrays.sort(mb);
        System.out.printf("  Java FlightClient, same JVM:            median %6.0f MB/s  (runs %s)%n", mb[REPEATS / 2],
            Arrays.toString(Arrays.stream(mb).mapToLong(Math::round).toArray()));
        if (python != null) {
          // interleaved rounds: Flight (pyarrow.flight), Arrow IPC over TCP (pyarrow.ipc), raw TCP (peer)
          List<Double> runs = new ArrayList<>();
          List<Double> ipcRuns = new ArrayList<>();
          List<Double> raw = new ArrayList<>();
          for (int i = -1; i < REPEATS; i++) {
            double f = pyFlight(python, script, server.getPort(), ticket, n);
            double x = ipcPeer(python, script, schema, ipc, n, sa);
            double r = rawTcp(python, script, ipc, n);
            if (i >= 0) {
              runs.add(f);
              ipcRuns.add(x);
              raw.add(r);
            }
          }
          runs.sort(null);
          ipcRuns.sort(null);
          raw.sort(null);
          double rawMedian = raw.get(raw.size() / 2);
          System.out.printf("  pyarrow.flight, another process:       median %6.0f MB/s  (runs %s); /raw %.2f%n",
              runs.get(runs.size() / 2), runs.stream().map(Math::round).toList(), runs.get(runs.size() / 2) / rawMedian);
          System.out.printf("  Arrow IPC over TCP, pyarrow.ipc:       median %6.0f MB/s  (runs %s); /raw %.2f%n",
              ipcRuns.get(ipcRuns.size() / 2), ipcRuns.stream().map(Math::round).toList(),
              ipcRuns.get(ipcRuns.size() / 2) / rawMedian);
          System.out.printf("  raw TCP loopback, Python recv_into:    median %6.0f MB/s  (runs %s)%n",
              rawMedian, raw.stream().map(Math::round).toList());
        }
      } finally {
        server.shutdown();
        server.close();
      }
    }
  }
}

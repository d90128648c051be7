package dev.weft.loader;

import dev.weft.format.Codec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Batches/s and samples/s of 256-row batches of a 1,000,000-row, 10-column numeric file
 * (uncompressed; {@link AssemblyBenchmark#schema()}): {@link BatchAssembler} alone, versus the
 * shared-memory transport with client and server in one JVM and in two processes. Prints,
 * asserts nothing. Off by default; run with
 * {@code mvn ... -Dtest=TransportBenchmark -Dweft.bench=true} (about a minute).
 */
@EnabledIfSystemProperty(named = "weft.bench", matches = "true")
class TransportBenchmark {
  private static final int BATCH = 256;
  private static final int BATCHES = 3000;

  @TempDir Path dir;

  private static StreamRequest request(ShuffleOptions shuffle, int worker, int workers) {
    return StreamRequest.builder().batchSize(BATCH).shuffle(shuffle).epoch(0).worker(worker).numWorkers(workers)
        .maxInFlight(4).prefetch(4).build();
  }

  private static void report(String what, long batches, long rows, double seconds) {
    System.out.printf("  %-62s %8.0f batches/s %10.0f samples/s%n", what, batches / seconds, rows / seconds);
  }

  /** Reads up to {@code limit} batches of one stream, touching every batch's row count; returns rows. */
  static long drain(WeftLoaderClient c, StreamRequest r, int limit) throws Exception {
    long rows = 0;
    try (WeftLoaderClient.Stream s = c.openStream(r)) {
      for (int i = 0; i < limit; i++) {
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

  @Test
  void run() throws Exception {
    Path file = dir.resolve("numeric.weft");
    try (BufferAllocator alloc = new RootAllocator()) {
      AssemblyBenchmark.write(file, 0, 1_000_000, Codec.NONE, alloc);
      try (WeftDataset ds = WeftDataset.open(List.of(file), alloc)) {
        System.out.println(ds + ", " + Runtime.getRuntime().availableProcessors() + " cores");
        for (ShuffleOptions shuffle : List.of(ShuffleOptions.global(1), ShuffleOptions.block(1, 64, 16),
            ShuffleOptions.none())) {
          System.out.println(shuffle);
          // 1. the assembler alone, one thread
          BatchAssembler asm = new BatchAssembler(ds, null);
          EpochOrder order = EpochOrder.create(ds, shuffle, 0);
          ShardPlan plan = ShardPlan.create(ds.numRows(), 0, 1, BATCH);
          long t0 = 0;
          long rows = 0;
          for (int round = 0; round < 2; round++) { // the first round warms up
            t0 = System.nanoTime();
            rows = 0;
            for (int j = 0; j < BATCHES; j++) {
              try (BatchAssembler.Batch b = asm.assemble(order, plan, j)) {
                rows += b.root().getRowCount();
              }
            }
          }
          report("BatchAssembler alone, 1 thread", BATCHES, rows, (System.nanoTime() - t0) / 1e9);

          try (LoaderServer server = LoaderServer.start(ds, LoaderServerOptions.builder().slots(64)
              .slotSize(1 << 20).build())) {
            // 2. one JVM, one stream
            try (BufferAllocator ca = new RootAllocator(); WeftLoaderClient c = WeftLoaderClient.connect(server.socketPath(), ca)) {
              drain(c, request(shuffle, 0, 1), 500); // warm-up
              t0 = System.nanoTime();
              rows = drain(c, request(shuffle, 0, 1), BATCHES);
              report("shm, one JVM, 1 client stream", BATCHES, rows, (System.nanoTime() - t0) / 1e9);
            }
            // 3. one JVM, two clients (like 2 DataLoader workers), in parallel
            ExecutorService pool = Executors.newFixedThreadPool(2);
            t0 = System.nanoTime();
            List<Future<Long>> parts = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
              int worker = w;
              parts.add(pool.submit(() -> {
                try (BufferAllocator ca = new RootAllocator();
                    WeftLoaderClient c = WeftLoaderClient.connect(server.socketPath(), ca)) {
                  return drain(c, request(shuffle, worker, 2), BATCHES / 2);
                }
              }));
            }
            rows = 0;
            for (Future<Long> f : parts) {
              rows += f.get();
            }
            report("shm, one JVM, 2 client streams (2 workers)", BATCHES, rows, (System.nanoTime() - t0) / 1e9);
            pool.shutdown();
            // 4. a client process
            String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process p = new ProcessBuilder(javaBin, "--add-opens=java.base/java.nio=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), TransportBenchClient.class.getName(),
                server.socketPath().toString(), String.valueOf(BATCHES), !shuffle.shuffle() ? "none" : shuffle.isBlock() ? "block" : "global")
                .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            p.waitFor();
            for (String line : out.split("\n")) {
              if (line.startsWith("RESULT ")) {
                String[] f = line.split(" ");
                report("shm, client in another process, 1 stream", Long.parseLong(f[1]), Long.parseLong(f[2]),
                    Double.parseDouble(f[3]));
              }
            }
          }
        }
      }
    }
  }
}

package dev.weft.loader;

import java.nio.file.Path;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * The client process of {@link TransportBenchmark}: {@code TransportBenchClient SOCKET BATCHES global|block}
 * reads a warm-up, then times {@code BATCHES} 256-row batches and prints
 * {@code RESULT <batches> <rows> <seconds>}.
 */
public final class TransportBenchClient {
  private TransportBenchClient() {}

  public static void main(String[] args) throws Exception {
    int batches = Integer.parseInt(args[1]);
    ShuffleOptions shuffle = switch (args[2]) {
      case "block" -> ShuffleOptions.block(1, 64, 16);
      case "none" -> ShuffleOptions.none();
      default -> ShuffleOptions.global(1);
    };
    StreamRequest r = StreamRequest.builder().batchSize(256).shuffle(shuffle).maxInFlight(4).prefetch(4).build();
    try (BufferAllocator alloc = new RootAllocator();
        WeftLoaderClient c = WeftLoaderClient.connect(Path.of(args[0]), alloc)) {
      TransportBenchmark.drain(c, r, 500);
      long t0 = System.nanoTime();
      long rows = TransportBenchmark.drain(c, r, batches);
      System.out.println("RESULT " + batches + " " + rows + " " + (System.nanoTime() - t0) / 1e9);
    }
  }
}

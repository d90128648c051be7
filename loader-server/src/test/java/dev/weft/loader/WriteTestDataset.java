package dev.weft.loader;

import dev.weft.format.Codec;
import java.nio.file.Path;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * Writes a test dataset for manual runs of {@link ServeMain} and the Python example client:
 * {@code WriteTestDataset FILE ROWS ids|numeric}. {@code ids}: the id schema of
 * {@link LoaderTestSupport#idSchema()}; {@code numeric}: the 10-column numeric schema of
 * {@link AssemblyBenchmark}, uncompressed.
 */
public final class WriteTestDataset {
  private WriteTestDataset() {}

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    long rows = Long.parseLong(args[1]);
    String kind = args.length > 2 ? args[2] : "ids";
    try (BufferAllocator alloc = new RootAllocator()) {
      if (kind.equals("numeric")) {
        AssemblyBenchmark.write(file, 0, rows, Codec.NONE, alloc);
      } else {
        LoaderTestSupport.writeIds(file, 0, rows, alloc);
      }
    }
    System.out.println("wrote " + rows + " rows to " + file);
  }
}

package dev.weft.bench.jmh;

import dev.weft.format.Codec;
import dev.weft.reader.WeftReader;
import dev.weft.testdata.gen.RecsysTable;
import dev.weft.writer.WeftWriter;
import dev.weft.writer.WriterOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/** A generated recsys table written once as a Weft file in a temporary directory, and its reader. */
final class WeftFile implements AutoCloseable {
  final BufferAllocator allocator = new RootAllocator();
  final Path dir;
  final Path file;
  final WeftReader reader;
  final long rows;

  WeftFile(long rows, String codec) throws IOException {
    this.rows = rows;
    dir = Files.createTempDirectory("weft-jmh");
    file = dir.resolve("recsys-" + codec + ".weft");
    RecsysTable gen = new RecsysTable(rows, 42, 8192);
    WriterOptions opts = WriterOptions.builder().compression(Codec.valueOf(codec.toUpperCase())).build();
    try (VectorSchemaRoot root = gen.newRoot(allocator);
        WeftWriter w = WeftWriter.open(file, gen.schema(), null, opts, allocator)) {
      for (int b = 0; b < gen.numBatches(); b++) {
        gen.fill(root, b);
        w.write(root);
      }
    }
    reader = WeftReader.open(file, allocator);
  }

  @Override
  public void close() throws Exception {
    reader.close();
    Files.deleteIfExists(file);
    Files.deleteIfExists(dir);
    allocator.close();
  }
}

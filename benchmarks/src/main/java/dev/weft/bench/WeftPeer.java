package dev.weft.bench;

import dev.weft.format.Codec;
import dev.weft.reader.WeftReader;
import dev.weft.reader.WeftScanner;
import dev.weft.writer.WeftWriter;
import dev.weft.writer.WriterOptions;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;

/** Weft through its Java writer and reader (this repository's modules, as built). */
final class WeftPeer extends Peer {
  private final Codec codec;
  /** WeftWriter.peakMemory() of the last write: the writer's own budget-limited buffers. */
  long lastWriterPeak = -1;

  WeftPeer(Codec codec) {
    this.codec = codec;
  }

  @Override
  String name() {
    return codec == WriterOptions.DEFAULT_COMPRESSION ? "weft" : "weft-" + codec.name().toLowerCase();
  }

  @Override
  String library() {
    return "weft-java " + Versions.weft();
  }

  @Override
  String options() {
    return "WriterOptions defaults" + (codec == WriterOptions.DEFAULT_COMPRESSION ? "" : " with compression " + codec)
        + " (" + codec + (codec == Codec.ZSTD ? " level " + WriterOptions.DEFAULT_ZSTD_LEVEL : "")
        + ", mini-blocks " + WriterOptions.DEFAULT_MINI_BLOCK_BYTES / 1024 + " KiB)";
  }

  @Override
  String fileName() {
    return name() + ".weft";
  }

  @Override
  void write(Path input, Path target, BufferAllocator allocator) throws Exception {
    WriterOptions options = WriterOptions.builder().compression(codec).createdBy("weft-bench").build();
    try (FileChannel ch = FileChannel.open(input, StandardOpenOption.READ);
        ArrowFileReader in = new ArrowFileReader(ch, allocator)) {
      VectorSchemaRoot root = in.getVectorSchemaRoot();
      WeftWriter w = WeftWriter.open(target, root.getSchema(), null, options, allocator);
      try (w) {
        while (in.loadNextBatch()) {
          w.write(root);
        }
      }
      lastWriterPeak = w.peakMemory();
    }
  }

  @Override
  Reader open(Path target, BufferAllocator allocator) throws Exception {
    WeftReader reader = WeftReader.open(target, allocator);
    return new Reader() {
      @Override
      public long numRows() {
        return reader.numRows();
      }

      @Override
      public long scan(int batchRows) throws Exception {
        long rows = 0;
        try (WeftScanner s = reader.scan(null, batchRows)) {
          while (s.hasNext()) {
            try (VectorSchemaRoot b = s.nextBatch()) {
              rows += b.getRowCount();
            }
          }
        }
        return rows;
      }

      @Override
      public long filteredScan(FilterSpec filter, int batchRows) throws Exception {
        long rows = 0;
        try (WeftScanner s = reader.scan(filter.project(), filter.text(), batchRows)) {
          while (s.hasNext()) {
            try (VectorSchemaRoot b = s.nextBatch()) {
              rows += b.getRowCount();
            }
          }
        }
        return rows;
      }

      @Override
      public String filterMethod() {
        return "WeftReader.scan(projection, predicate text, batch): zone maps of 4,096 rows prune, the rest is"
            + " filtered exactly";
      }

      @Override
      public long take(long[] ids, List<String> columns, List<Map<String, String>> sink) throws Exception {
        try (VectorSchemaRoot r = reader.take(ids, columns)) {
          if (sink != null) {
            RowValues.append(r, sink);
          }
          return r.getRowCount();
        }
      }

      @Override
      public void close() throws Exception {
        reader.close();
      }
    };
  }
}

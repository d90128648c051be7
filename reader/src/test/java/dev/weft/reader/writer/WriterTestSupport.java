package dev.weft.reader.writer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.format.BlockTable;
import dev.weft.format.Checksums;
import dev.weft.format.ColumnMeta;
import dev.weft.format.ColumnNode;
import dev.weft.format.PageMeta;
import dev.weft.reader.WeftReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/** Shared helpers of the writer tests (directory listings, block tables read from the file). */
final class WriterTestSupport {
  private WriterTestSupport() {}

  /** The documented temporary-file name pattern: ".<name>.<hex>.weft-tmp" in the target directory. */
  static Pattern tempPattern(String finalName) {
    return Pattern.compile("\\." + Pattern.quote(finalName) + "\\.[0-9a-f]+\\.weft-tmp");
  }

  /** Names of every entry of {@code dir}, sorted. */
  static List<String> listNames(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
    }
  }

  /** Temporary files of {@code finalName} in {@code dir}. */
  static List<String> tempFiles(Path dir, String finalName) throws IOException {
    Pattern p = tempPattern(finalName);
    return listNames(dir).stream().filter(n -> p.matcher(n).matches()).collect(Collectors.toList());
  }

  /** Sum of the Arrow buffer sizes of a batch: about what an uncompressed file stores for it. */
  static long bufferBytes(VectorSchemaRoot root) {
    long sum = 0;
    for (FieldVector v : root.getFieldVectors()) {
      sum += v.getBufferSize();
    }
    return sum;
  }

  /** One mini-block as described by its page's block table. */
  record BlockInfo(int column, ColumnNode node, PageMeta page, BlockTable table, int block) {
    int rows() {
      return table.rowEnd(block) - table.rowStart(block);
    }

    long elements() {
      return table.elemEnd(block) - table.elemStart(block);
    }

    int rawLength() {
      return table.rawLength(block);
    }

    int storedLength() {
      return table.storedLength(block);
    }
  }

  /**
   * Every mini-block of column {@code column}: the block tables are not exposed by the reader,
   * so they are read from the file at the offsets its public page metadata gives, checked
   * against the page's table checksum and parsed with the public {@link BlockTable#decode}.
   */
  static List<BlockInfo> blocks(WeftReader reader, Path file, int column) throws IOException {
    ColumnMeta meta = reader.columnMeta(column);
    String name = reader.columnName(column);
    List<BlockInfo> out = new ArrayList<>();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      for (int n = 0; n < meta.layout().nodes().size(); n++) {
        ColumnNode node = meta.layout().node(n);
        for (PageMeta page : meta.pagesPerNode().get(n)) {
          ByteBuffer bytes = ByteBuffer.allocate(page.tableLength()).order(ByteOrder.LITTLE_ENDIAN);
          long pos = page.tableOffset();
          while (bytes.hasRemaining()) {
            int r = ch.read(bytes, pos);
            if (r < 0) {
              throw new IOException("file ended inside a block table");
            }
            pos += r;
          }
          bytes.flip();
          assertEquals(page.tableCrc(), Checksums.crc32c(bytes), "block table checksum of " + node.path());
          BlockTable t = BlockTable.decode(bytes, page, file.toAbsolutePath(), name);
          for (int b = 0; b < t.size(); b++) {
            out.add(new BlockInfo(column, node, page, t, b));
          }
        }
      }
    }
    return out;
  }

  /** Every mini-block of every column. */
  static List<BlockInfo> allBlocks(WeftReader reader, Path file) throws IOException {
    List<BlockInfo> out = new ArrayList<>();
    for (int c = 0; c < reader.numColumns(); c++) {
      out.addAll(blocks(reader, file, c));
    }
    return out;
  }
}

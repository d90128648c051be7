package dev.weft.reader.corrupt;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.format.BlockTable;
import dev.weft.format.Codec;
import dev.weft.format.CorruptFileException;
import dev.weft.format.PageMeta;
import dev.weft.format.encoding.ForBitPacked;
import dev.weft.format.encoding.StringStreams;
import dev.weft.reader.EncodingColumns;
import dev.weft.reader.ReaderOptions;
import dev.weft.reader.WeftReader;
import dev.weft.reader.WeftScanner;
import dev.weft.writer.WeftWriter;
import dev.weft.writer.WriterOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A wrong bit width in an encoded FOR block (and a damaged FSST table), in a real file, with the block checksum skipped
 * and with every checksum recomputed: scans and takes must fail with a
 * {@link CorruptFileException} naming the file, not decode wrong values or throw from inside a
 * decoder. (Random damage of every encoding is {@link CorruptionFuzzTest}'s job; this pins the
 * named case.)
 */
class EncodedStreamCorruptionTest {
  @TempDir Path dir;

  @Test
  void wrongBitWidthIsCorruption() throws Exception {
    Path file = dir.resolve("for.weft");
    try (BufferAllocator alloc = new RootAllocator();
        VectorSchemaRoot data = EncodingColumns.generate(3000, 5, alloc)) {
      try (WeftWriter w = WeftWriter.open(file, data.getSchema(), WriterOptions.builder().compression(Codec.NONE).build())) {
        w.write(data);
      }
      byte[] bytes = Files.readAllBytes(file);
      CorruptionFuzzTest.Shape shape = new CorruptionFuzzTest.Shape("for", file, bytes, data,
          CorruptionFuzzTest.mapRegions(file, bytes));
      long widthAt = -1;
      int original = 0;
      String column = "enc_for_i64";
      try (WeftReader r = WeftReader.open(file, alloc)) {
        int c = r.columnIndex(column);
        PageMeta page = r.columnMeta(c).pagesPerNode().get(0).get(0);
        BlockTable t = BlockTable.decode(ByteBuffer.wrap(bytes, (int) page.tableOffset(), page.tableLength())
            .slice().order(ByteOrder.LITTLE_ENDIAN), page, file, column);
        for (int b = 0; b < t.size() && widthAt < 0; b++) {
          if (t.encoded(b) && t.scheme(b) == ForBitPacked.ID && !t.hasValidity(b) && t.codec(b) == Codec.NONE) {
            widthAt = page.offset() + t.offset(b) + 1;
            original = bytes[(int) widthAt];
          }
        }
      }
      assertTrue(widthAt > 0, "no plain-stored FOR block in " + column);
      for (int width : new int[] {65, original + 1, original - 1, 0}) {
        for (boolean repair : new boolean[] {false, true}) {
          byte[] copy = bytes.clone();
          copy[(int) widthAt] = (byte) width;
          if (repair) {
            shape.repairChecksums(copy);
          }
          Path bad = dir.resolve("bad-" + width + "-" + repair + ".weft");
          Files.write(bad, copy);
          ReaderOptions options = ReaderOptions.defaults().withVerifyChecksums(repair);
          try (WeftReader r = WeftReader.open(bad, alloc, options)) {
            CorruptFileException e = assertThrows(CorruptFileException.class, () -> {
              try (WeftScanner s = r.scan(List.of(column), 4096)) {
                s.nextBatch().close();
              }
            }, "bit width " + width + " (was " + original + "), checksums " + (repair ? "recomputed" : "off"));
            assertTrue(e.getMessage().contains(bad.toString()) && e.getMessage().contains(column), e.getMessage());
          }
          try (WeftReader r = WeftReader.open(bad, alloc, options)) {
            assertThrows(CorruptFileException.class, () -> r.take(new long[] {0, 1, 2}, List.of(column)).close());
          }
        }
      }
    }
  }

  /**
   * A damaged FSST symbol table (a symbol of length 0 or 9, a table cut to one symbol so that the
   * codes point past it) in a real file, checksum skipped or recomputed: a CorruptFileException.
   */
  @Test
  void damagedFsstTableIsCorruption() throws Exception {
    Path file = dir.resolve("fsst.weft");
    String column = "enc_words_utf8";
    try (BufferAllocator alloc = new RootAllocator();
        VectorSchemaRoot data = EncodingColumns.generate(3000, 5, alloc)) {
      try (WeftWriter w = WeftWriter.open(file, data.getSchema(), WriterOptions.builder().compression(Codec.NONE).build())) {
        w.write(data);
      }
      byte[] bytes = Files.readAllBytes(file);
      CorruptionFuzzTest.Shape shape = new CorruptionFuzzTest.Shape("fsst", file, bytes, data,
          CorruptionFuzzTest.mapRegions(file, bytes));
      long blockAt = -1;
      try (WeftReader r = WeftReader.open(file, alloc)) {
        int c = r.columnIndex(column);
        PageMeta page = r.columnMeta(c).pagesPerNode().get(0).get(0);
        BlockTable t = BlockTable.decode(ByteBuffer.wrap(bytes, (int) page.tableOffset(), page.tableLength())
            .slice().order(ByteOrder.LITTLE_ENDIAN), page, file, column);
        for (int b = 0; b < t.size() && blockAt < 0; b++) {
          if (t.encoded(b) && t.scheme(b) == StringStreams.FSST && !t.hasValidity(b) && t.codec(b) == Codec.NONE) {
            blockAt = page.offset() + t.offset(b);
          }
        }
      }
      assertTrue(blockAt > 0, "no plain-stored FSST block in " + column);
      assertTrue((bytes[(int) blockAt + 1] & 0xFF) > 1, "the FSST table has several symbols");
      int[][] damages = {{2, 0}, {2, 9}, {1, 1}}; // {offset in the block, new byte}
      for (int[] d : damages) {
        for (boolean repair : new boolean[] {false, true}) {
          byte[] copy = bytes.clone();
          copy[(int) blockAt + d[0]] = (byte) d[1];
          if (repair) {
            shape.repairChecksums(copy);
          }
          Path bad = dir.resolve("bad-fsst-" + d[0] + "-" + d[1] + "-" + repair + ".weft");
          Files.write(bad, copy);
          ReaderOptions options = ReaderOptions.defaults().withVerifyChecksums(repair);
          try (WeftReader r = WeftReader.open(bad, alloc, options)) {
            CorruptFileException e = assertThrows(CorruptFileException.class, () -> {
              try (WeftScanner s = r.scan(List.of(column), 4096)) {
                s.nextBatch().close();
              }
            }, "byte " + d[0] + " set to " + d[1] + ", checksums " + (repair ? "recomputed" : "off"));
            assertTrue(e.getMessage().contains(bad.toString()) && e.getMessage().contains(column), e.getMessage());
          }
          try (WeftReader r = WeftReader.open(bad, alloc, options)) {
            assertThrows(CorruptFileException.class, () -> r.take(new long[] {0, 1, 2}, List.of(column)).close());
          }
        }
      }
    }
  }
}

package dev.weft.reader.corrupt;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.Zstd;
import dev.weft.format.BlockTable;
import dev.weft.format.Codec;
import dev.weft.format.CorruptFileException;
import dev.weft.format.PageMeta;
import dev.weft.format.encoding.BytesStreams;
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
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged SPAN_FOLD blocks (format 6.0; SPAN, 5.0, shares their decoders and checks) in a real
 * file, their checksums recomputed so that only the stream's own checks can catch them: a span past its row, a start after its end, and spans that
 * call for more or fewer residual bytes than the block holds. A scan (which decodes these blocks
 * straight into the batch's memory) and a take (which decodes through the block cache) must both
 * fail with a {@link CorruptFileException} naming the file and the column.
 */
class SpanCorruptionTest {
  @TempDir Path dir;

  private static final String COLUMN = "image";

  @Test
  void damagedSpansAreCorruption() throws Exception {
    Path file = dir.resolve("sprites.weft");
    Schema schema = new Schema(List.of(Field.notNullable(COLUMN, new ArrowType.FixedSizeBinary(784))));
    try (BufferAllocator alloc = new RootAllocator(); VectorSchemaRoot data = VectorSchemaRoot.create(schema, alloc)) {
      FixedSizeBinaryVector image = (FixedSizeBinaryVector) data.getVector(COLUMN);
      int rows = 200;
      image.allocateNew(rows);
      SplittableRandom rnd = new SplittableRandom(11);
      for (int i = 0; i < rows; i++) {
        byte[] v = new byte[784];
        for (int y = 4; y < 24; y++) {
          for (int x = 6; x < 22; x++) {
            v[28 * y + x] = (byte) (1 + rnd.nextInt(4) + y); // an object on a zero background
          }
        }
        image.set(i, v);
      }
      data.setRowCount(rows);
      try (WeftWriter w = WeftWriter.open(file, schema, null, WriterOptions.builder().compression(Codec.ZSTD).foldedSpans(true).build(),
          alloc)) {
        w.write(data);
      }
      byte[] bytes = Files.readAllBytes(file);
      CorruptionFuzzTest.Shape shape = new CorruptionFuzzTest.Shape("span", file, bytes, data,
          CorruptionFuzzTest.mapRegions(file, bytes));
      long blockAt = -1;
      int stored = 0;
      int raw = 0;
      try (WeftReader r = WeftReader.open(file, alloc)) {
        PageMeta page = r.columnMeta(0).pagesPerNode().get(0).get(0);
        BlockTable t = BlockTable.decode(ByteBuffer.wrap(bytes, (int) page.tableOffset(), page.tableLength())
            .slice().order(ByteOrder.LITTLE_ENDIAN), page, file, COLUMN);
        for (int b = 0; b < t.size() && blockAt < 0; b++) {
          if (t.encoded(b) && t.scheme(b) == BytesStreams.SPAN_FOLD && t.codec(b) == Codec.ZSTD && !t.hasValidity(b)) {
            blockAt = page.offset() + t.offset(b);
            stored = t.storedLength(b);
            raw = t.rawLength(b);
          }
        }
      }
      assertTrue(blockAt > 0, "no zstd SPAN_FOLD block in " + file);
      byte[] block = Zstd.decompress(java.util.Arrays.copyOfRange(bytes, (int) blockAt, (int) blockAt + stored), raw);
      assertTrue(block[0] == BytesStreams.SPAN_FOLD && block[1] == 28, "SPAN_FOLD with stride 28");
      // spans start at byte 2: (DeltaStart, DeltaEnd) per row, zigzag-coded; residuals after n * 28 rows
      List<Damage> damages = List.of(
          new Damage("span past its row", b -> b[3] = zigzag(29)),
          new Damage("start after end", b -> {
            b[2] = zigzag(10);
            b[3] = zigzag(5);
          }),
          new Damage("a start before the row (-1)", b -> b[2] = zigzag(-1)),
          new Damage("spans call for more residuals than the block holds", b -> {
            for (int k = 2; k + 1 < 2 + 56; k += 2) {
              b[k] = 0;
              b[k + 1] = zigzag(k == 2 ? 28 : 0); // every row of the first image full
            }
          }),
          // the first image's last object row (23) one byte shorter, row 24's end delta making up for it
          new Damage("spans call for fewer residuals than the block holds", b -> {
            b[2 + 2 * 23 + 1] = zigzag(unzigzag(b[2 + 2 * 23 + 1]) - 1);
            b[2 + 2 * 24 + 1] = zigzag(unzigzag(b[2 + 2 * 24 + 1]) + 1);
          }));
      for (Damage d : damages) {
        byte[] changed = block.clone();
        d.change().accept(changed);
        byte[] copy = bytes.clone();
        splice(copy, (int) blockAt, stored, changed);
        shape.repairChecksums(copy);
        Path bad = dir.resolve("bad-" + d.name().replace(' ', '-') + ".weft");
        Files.write(bad, copy);
        try (WeftReader r = WeftReader.open(bad, alloc)) {
          CorruptFileException e = assertThrows(CorruptFileException.class, () -> {
            try (WeftScanner s = r.scan(List.of(COLUMN), 4096)) {
              s.nextBatch().close();
            }
          }, d.name() + ": scan");
          assertTrue(e.getMessage().contains(bad.toString()) && e.getMessage().contains(COLUMN), e.getMessage());
        }
        try (WeftReader r = WeftReader.open(bad, alloc, ReaderOptions.defaults())) {
          CorruptFileException e = assertThrows(CorruptFileException.class,
              () -> r.take(new long[] {0, 1, 2}, List.of(COLUMN)).close(), d.name() + ": take");
          assertTrue(e.getMessage().contains(COLUMN), e.getMessage());
        }
      }
    }
  }

  private record Damage(String name, Consumer<byte[]> change) {}

  /** A span delta as SPAN_FOLD stores it. */
  private static byte zigzag(int d) {
    byte b = (byte) d;
    return (byte) ((b << 1) ^ (b >> 7));
  }

  private static int unzigzag(byte z) {
    int u = z & 0xFF;
    return (u >>> 1) ^ -(u & 1);
  }

  /**
   * Writes {@code raw} compressed into the {@code stored} bytes at {@code at}: a zstd frame padded
   * to the same length with a skippable frame (so that no offset of the file moves).
   */
  private static void splice(byte[] file, int at, int stored, byte[] raw) {
    for (int level = 19; level >= 1; level--) {
      byte[] frame = Zstd.compress(raw, level);
      int pad = stored - frame.length;
      if (pad >= 8) {
        ByteBuffer b = ByteBuffer.wrap(file, at, stored).order(ByteOrder.LITTLE_ENDIAN);
        b.put(frame);
        b.putInt(0x184D2A50); // a skippable frame: magic, length, payload
        b.putInt(pad - 8);
        b.put(new byte[pad - 8]);
        return;
      }
    }
    throw new AssertionError("the damaged block does not compress into its " + stored + " bytes");
  }
}

package dev.weft.reader.corrupt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.format.Codec;
import dev.weft.format.ColumnNode;
import dev.weft.format.CorruptFileException;
import dev.weft.format.EncodedBlocks;
import dev.weft.format.NodeKind;
import dev.weft.format.WeftFormat;
import dev.weft.format.encoding.BytesStreams;
import dev.weft.format.encoding.SharedDictionary;
import dev.weft.format.encoding.StringStreams;
import dev.weft.reader.NodeStats;
import dev.weft.reader.WeftReader;
import dev.weft.reader.WeftScanner;
import dev.weft.writer.WeftWriter;
import dev.weft.writer.WriterOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A block whose scheme is newer than its file's format version is a corrupt file. */
class SchemeVersionTest {
  @TempDir Path dir;

  @Test
  void schemesNameTheVersionThatAddedThem() {
    ColumnNode image = node(NodeKind.FIXED, 784);
    ColumnNode int64 = node(NodeKind.FIXED, 8);
    ColumnNode utf8 = node(NodeKind.VARBINARY, 0);
    assertEquals(6, EncodedBlocks.minMajor(image, BytesStreams.SPAN_FOLD));
    assertEquals(5, EncodedBlocks.minMajor(image, BytesStreams.SPAN));
    assertEquals(4, EncodedBlocks.minMajor(image, BytesStreams.UP));
    assertEquals(3, EncodedBlocks.minMajor(image, BytesStreams.PAETH));
    assertEquals(3, EncodedBlocks.minMajor(image, 0));
    assertEquals(4, EncodedBlocks.minMajor(int64, SharedDictionary.INT_ID));
    assertEquals(2, EncodedBlocks.minMajor(int64, 1));
    assertEquals(4, EncodedBlocks.minMajor(utf8, SharedDictionary.STRING_ID));
    assertEquals(3, EncodedBlocks.minMajor(utf8, StringStreams.FSST));
    assertEquals(2, EncodedBlocks.minMajor(utf8, StringStreams.DICTIONARY));
  }

  @Test
  void upBlocksInAFileClaimingThreeAreRejected() throws Exception {
    Path file = dir.resolve("images.weft");
    Schema schema = new Schema(List.of(Field.notNullable("image", new ArrowType.FixedSizeBinary(784))));
    try (BufferAllocator alloc = new RootAllocator(); VectorSchemaRoot data = VectorSchemaRoot.create(schema, alloc)) {
      FixedSizeBinaryVector image = (FixedSizeBinaryVector) data.getVector("image");
      int rows = 300;
      image.allocateNew(rows);
      java.util.SplittableRandom rnd = new java.util.SplittableRandom(5);
      for (int i = 0; i < rows; i++) {
        byte[] v = new byte[784];
        int[] column = new int[28];
        for (int c = 0; c < 28; c++) {
          column[c] = rnd.nextInt(256);
        }
        for (int j = 0; j < v.length; j++) {
          // noisy columns that change little from one image row to the next: UP pays
          v[j] = (byte) (column[j % 28] + 9 * (j / 28) + rnd.nextInt(2));
        }
        image.set(i, v);
      }
      data.setRowCount(rows);
      try (WeftWriter w = WeftWriter.open(file, schema, null, WriterOptions.builder().compression(Codec.ZSTD).build(),
          alloc)) {
        w.write(data);
      }
      try (WeftReader r = WeftReader.open(file, alloc)) {
        boolean up = false;
        for (NodeStats st : r.nodeStats(0)) {
          up |= st.encodings().containsKey("UP");
        }
        assertTrue(up, "the writer stores these images with UP");
      }
      assertRejected(alloc, file, WeftFormat.VERSION_MAJOR_FSST, "UP", "4.0", "image");
    }
  }

  @Test
  void spanFoldBlocksInAFileClaimingFiveAreRejected() throws Exception {
    Path file = dir.resolve("sprites.weft");
    Schema schema = new Schema(List.of(Field.notNullable("image", new ArrowType.FixedSizeBinary(784))));
    try (BufferAllocator alloc = new RootAllocator(); VectorSchemaRoot data = VectorSchemaRoot.create(schema, alloc)) {
      FixedSizeBinaryVector image = (FixedSizeBinaryVector) data.getVector("image");
      int rows = 300;
      image.allocateNew(rows);
      java.util.SplittableRandom rnd = new java.util.SplittableRandom(6);
      for (int i = 0; i < rows; i++) {
        byte[] v = new byte[784];
        for (int y = 6; y < 22; y++) {
          for (int x = 8; x < 20; x++) {
            v[28 * y + x] = (byte) (1 + rnd.nextInt(200)); // an object on a zero background: SPAN_FOLD pays
          }
        }
        image.set(i, v);
      }
      data.setRowCount(rows);
      WriterOptions options = WriterOptions.builder().compression(Codec.ZSTD).foldedSpans(true).build();
      try (WeftWriter w = WeftWriter.open(file, schema, null, options, alloc)) {
        w.write(data);
      }
      try (WeftReader r = WeftReader.open(file, alloc)) {
        boolean span = false;
        for (NodeStats st : r.nodeStats(0)) {
          span |= st.encodings().containsKey("SPAN_FOLD");
        }
        assertTrue(span, "the writer stores these images with SPAN_FOLD");
      }
      assertRejected(alloc, file, WeftFormat.VERSION_MAJOR_SPAN_BYTES, "SPAN_FOLD", "6.0", "image");
    }
  }

  /** SPAN blocks (the golden 5.0 file's sprites) in a file claiming 4.0. */
  @Test
  void spanBlocksInAFileClaimingFourAreRejected() throws Exception {
    Path golden = dev.weft.reader.golden.GoldenFiles.goldenRoot().resolve("v5.0").resolve("data.weft");
    try (BufferAllocator alloc = new RootAllocator()) {
      try (WeftReader r = WeftReader.open(golden, alloc)) {
        int col = r.schema().getFields().stream().map(Field::getName).toList().indexOf("enc_sprite_fsb");
        boolean span = false;
        for (NodeStats st : r.nodeStats(col)) {
          span |= st.encodings().containsKey("SPAN");
        }
        assertTrue(span, "the golden 5.0 file stores its sprites with SPAN");
      }
      assertRejected(alloc, golden, WeftFormat.VERSION_MAJOR_UP_BYTES, "uses SPAN,", "5.0", "format 4.x");
    }
  }

  /**
   * {@code file} made to claim format {@code major}.0: a scan and a take fail with a
   * {@link CorruptFileException} whose message holds {@code words}.
   */
  private void assertRejected(BufferAllocator alloc, Path file, int major, String... words) throws Exception {
    Path old = dir.resolve("claims-" + major + ".0.weft");
    Files.write(old, CorruptionFuzzTest.setVersion(Files.readAllBytes(file), major, 0));
    java.io.UncheckedIOException u = assertThrows(java.io.UncheckedIOException.class, () -> {
      try (WeftReader r = WeftReader.open(old, alloc); WeftScanner s = r.scan(null, 1000)) {
        while (s.hasNext()) {
          s.next().close();
        }
      }
    });
    assertTrue(u.getCause() instanceof CorruptFileException, "cause: " + u.getCause());
    CorruptFileException e = (CorruptFileException) u.getCause();
    for (String w : words) {
      assertTrue(e.getMessage().contains(w), w + " in: " + e.getMessage());
    }
    try (WeftReader r = WeftReader.open(old, alloc)) {
      assertThrows(CorruptFileException.class, () -> r.take(new long[] {7}, null).close(), "a take too");
    }
  }

  private static ColumnNode node(NodeKind kind, int width) {
    return new ColumnNode(0, "x", Field.nullable("x", new ArrowType.Binary()), kind, width, List.of());
  }
}

package dev.weft.reader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.format.Codec;
import dev.weft.writer.WeftWriter;
import dev.weft.writer.WriterOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Images on a zero background (5.0's SPAN, the default, and 6.0's SPAN_FOLD, which the writer
 * tries instead with {@link WriterOptions#foldedSpans}) end to end, for square widths (rows of 4, 10, 28 (the specialised decoders), 30 and 255
 * bytes) and widths that are not squares (stride w, 300 over SPAN's largest stride):
 * written with zstd and lz4, then read back by a full scan (blocks decoded straight into the
 * batch) and by takes of single rows (blocks decoded through the cache), value by value.
 */
class SpanImagesTest {
  @TempDir Path dir;

  @ParameterizedTest
  @CsvSource({"16, ZSTD, true, true", "16, ZSTD, false, false", "100, ZSTD, true, true", "100, ZSTD, false, true",
      "784, ZSTD, true, true", "784, ZSTD, false, true", "784, LZ4, true, true", "784, LZ4, false, true",
      "900, LZ4, true, true", "65025, ZSTD, true, true", "65025, ZSTD, false, true", "200, ZSTD, true, false",
      "300, ZSTD, true, false"})
  void imagesRoundTripThroughScansAndTakes(int width, Codec codec, boolean folded, boolean spanExpected)
      throws Exception {
    String scheme = folded ? "SPAN_FOLD" : "SPAN";
    int side = (int) Math.round(Math.sqrt(width));
    boolean square = side * side == width;
    int stride = square ? side : width;
    int rows = width > 10_000 ? 40 : 700;
    Path file = dir.resolve("images-" + width + "-" + codec + "-" + scheme + ".weft");
    Schema schema = new Schema(List.of(Field.nullable("image", new ArrowType.FixedSizeBinary(width))));
    SplittableRandom rnd = new SplittableRandom(width * 31L + codec.ordinal());
    byte[][] expected = new byte[rows][];
    try (BufferAllocator alloc = new RootAllocator(); VectorSchemaRoot data = VectorSchemaRoot.create(schema, alloc)) {
      FixedSizeBinaryVector v = (FixedSizeBinaryVector) data.getVector("image");
      v.allocateNew(rows);
      int lines = (width + stride - 1) / stride;
      for (int i = 0; i < rows; i++) {
        byte[] img = new byte[width];
        // a box of texture somewhere in the frame (sometimes none, sometimes touching the edges)
        int y0 = rnd.nextInt(lines);
        int y1 = Math.min(lines, y0 + rnd.nextInt(lines + 1));
        int x0 = rnd.nextInt(stride);
        int x1 = Math.min(stride, x0 + 1 + rnd.nextInt(stride));
        for (int y = y0; y < y1; y++) {
          for (int x = x0; x < x1 && y * stride + x < width; x++) {
            img[y * stride + x] = (byte) (rnd.nextInt(8) == 0 ? 0 : 1 + (x + y + rnd.nextInt(3)) % 255);
          }
        }
        expected[i] = img;
        v.set(i, img);
      }
      data.setRowCount(rows);
      WriterOptions options = WriterOptions.builder().compression(codec).foldedSpans(folded).build();
      try (WeftWriter w = WeftWriter.open(file, schema, null, options, alloc)) {
        w.write(data);
      }
      try (WeftReader r = WeftReader.open(file, alloc)) {
        boolean span = false;
        for (NodeStats st : r.nodeStats(0)) {
          span |= st.encodings().containsKey(scheme);
        }
        // the scheme where it pays (SPAN_FOLD even for 4x4 images, which stay plain under SPAN; not
        // for one-row values, where PAETH's left neighbour wins), never with a stride over 255 (300)
        assertTrue(span == spanExpected && (stride <= 255 || !span), scheme + " expected " + spanExpected + ": "
            + r.nodeStats(0));
        long seen = 0;
        try (WeftScanner s = r.scan(null, 256)) {
          while (s.hasNext()) {
            try (VectorSchemaRoot b = s.next()) {
              FixedSizeBinaryVector got = (FixedSizeBinaryVector) b.getVector("image");
              for (int i = 0; i < b.getRowCount(); i++) {
                assertArrayEquals(expected[(int) seen + i], got.get(i), "scan row " + (seen + i));
              }
              seen += b.getRowCount();
            }
          }
        }
        assertEquals(rows, seen);
      }
      try (WeftReader r = WeftReader.open(file, alloc)) {
        for (int k = 0; k < 60; k++) {
          long row = k == 0 ? rows - 1 : rnd.nextInt(rows);
          try (VectorSchemaRoot b = r.take(new long[] {row}, null)) {
            assertArrayEquals(expected[(int) row], ((FixedSizeBinaryVector) b.getVector("image")).get(0),
                "take row " + row);
          }
        }
      }
    }
  }

  /**
   * The writer's choice between SPAN_FOLD and 5.0's SPAN ({@link WriterOptions#foldedSpans()}):
   * images on a zero background and smooth images without one (where UP or PAETH win) are written
   * both ways; the SPAN_FOLD file is not larger (0.5% slack for blocks where the
   * selector's choices differ), and both read back exactly (SPAN through the same decoders).
   */
  @ParameterizedTest
  @CsvSource({"true", "false"})
  void foldedSpansAreNotLargerThanSpans(boolean zeroBackground) throws Exception {
    int rows = 3000;
    int side = 28;
    SplittableRandom rnd = new SplittableRandom(zeroBackground ? 3 : 4);
    byte[][] images = new byte[rows][];
    for (int i = 0; i < rows; i++) {
      byte[] img = new byte[side * side];
      double cx = 8 + rnd.nextInt(12);
      double cy = 8 + rnd.nextInt(12);
      double rad = 5 + rnd.nextInt(8);
      int base = zeroBackground ? 0 : 40 + rnd.nextInt(60);
      for (int y = 0; y < side; y++) {
        for (int x = 0; x < side; x++) {
          double d = Math.hypot(x - cx, y - cy) / rad;
          int px = d >= 1 ? base : base + (int) ((255 - base) * (1 - d * d)) - rnd.nextInt(4);
          if (!zeroBackground) {
            px += (x + 2 * y) / 3 + rnd.nextInt(3); // a gradient and noise over the whole frame
          }
          img[side * y + x] = (byte) Math.max(0, Math.min(255, px));
        }
      }
      images[i] = img;
    }
    long folded = writeAndCheck(images, true, zeroBackground);
    long spans = writeAndCheck(images, false, zeroBackground);
    System.out.println("SpanImagesTest zero background " + zeroBackground + ": SPAN_FOLD file " + folded
        + " bytes, SPAN file " + spans);
    assertTrue(folded <= spans * 1.005, "SPAN_FOLD " + folded + " bytes, SPAN " + spans);
  }

  private long writeAndCheck(byte[][] images, boolean foldedSpans, boolean spanExpected) throws Exception {
    int width = images[0].length;
    Path file = dir.resolve("smooth-" + foldedSpans + ".weft");
    Schema schema = new Schema(List.of(Field.nullable("image", new ArrowType.FixedSizeBinary(width))));
    try (BufferAllocator alloc = new RootAllocator(); VectorSchemaRoot data = VectorSchemaRoot.create(schema, alloc)) {
      FixedSizeBinaryVector v = (FixedSizeBinaryVector) data.getVector("image");
      v.allocateNew(images.length);
      for (int i = 0; i < images.length; i++) {
        v.set(i, images[i]);
      }
      data.setRowCount(images.length);
      WriterOptions o = WriterOptions.builder().compression(Codec.ZSTD).foldedSpans(foldedSpans).build();
      try (WeftWriter w = WeftWriter.open(file, schema, null, o, alloc)) {
        w.write(data);
      }
      try (WeftReader r = WeftReader.open(file, alloc)) {
        String scheme = foldedSpans ? "SPAN_FOLD" : "SPAN";
        boolean span = false;
        for (NodeStats st : r.nodeStats(0)) {
          span |= st.encodings().containsKey(scheme);
        }
        if (spanExpected) {
          assertTrue(span, scheme + " expected: " + r.nodeStats(0));
        }
        long seen = 0;
        try (WeftScanner s = r.scan(null, 1000)) {
          while (s.hasNext()) {
            try (VectorSchemaRoot b = s.next()) {
              FixedSizeBinaryVector got = (FixedSizeBinaryVector) b.getVector("image");
              for (int i = 0; i < b.getRowCount(); i++) {
                assertArrayEquals(images[(int) seen + i], got.get(i), "scan row " + (seen + i));
              }
              seen += b.getRowCount();
            }
          }
        }
        assertEquals(images.length, seen);
        try (VectorSchemaRoot b = r.take(new long[] {images.length - 1, 5}, null)) {
          FixedSizeBinaryVector got = (FixedSizeBinaryVector) b.getVector("image");
          assertArrayEquals(images[images.length - 1], got.get(0));
          assertArrayEquals(images[5], got.get(1));
        }
      }
    }
    return java.nio.file.Files.size(file);
  }
}

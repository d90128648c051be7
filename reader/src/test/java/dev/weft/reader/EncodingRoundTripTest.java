package dev.weft.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.format.Codec;
import dev.weft.format.WeftFormat;
import dev.weft.reader.RoundTripTest.Expected;
import dev.weft.writer.WriterOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Files whose columns are shaped to pick every encoding ({@link EncodingColumns}): the writer
 * must choose the intended encoding (reported by {@link WeftReader#nodeStats}), and scans and
 * takes must return the written values, including adversarial ones.
 */
class EncodingRoundTripTest {
  private static final long SEED = RoundTripTest.BASE_SEED ^ 0xE4C0DEL;

  @TempDir Path dir;

  private static Expected data(BufferAllocator alloc, int... sizes) {
    Expected e = new Expected(EncodingColumns.schema());
    for (int i = 0; i < sizes.length; i++) {
      e.add(EncodingColumns.generate(sizes[i], SEED + i, alloc));
    }
    return e;
  }

  /**
   * Shared dictionaries (format 4.0, on by default) take the low-cardinality columns: their blocks
   * hold codes, each row group's dictionary is stored once, and everything reads back.
   */
  @ParameterizedTest
  @EnumSource(Codec.class)
  void sharedDictionariesAreChosenAndReadBack(Codec codec) throws Exception {
    Path file = dir.resolve("shared.weft");
    WriterOptions options = WriterOptions.builder().compression(codec).maxRowGroupRows(9000).build();
    String ctx = "seed=" + SEED + " " + options;
    try (BufferAllocator alloc = new RootAllocator(); Expected e = data(alloc, 6000, 1, 7000)) {
      RoundTripTest.write(file, e, options, alloc);
      try (WeftReader r = WeftReader.open(file, alloc)) {
        for (String col : List.of("enc_extremes_i64", "enc_lowcard_i64", "enc_codes_utf8")) {
          NodeStats s = r.nodeStats(r.columnIndex(col)).get(0);
          String blocks = col.endsWith("utf8") ? "STRING_SHARED_DICTIONARY" : "SHARED_DICTIONARY";
          assertTrue(s.encodings().containsKey(blocks) && s.encodings().containsKey(WeftReader.SHARED_DICTIONARY_VALUES),
              ctx + ": column " + col + " uses " + s.encodings().keySet());
          // one dictionary per row group at most, counted with the column's bytes
          EncodingStats d = s.encodings().get(WeftReader.SHARED_DICTIONARY_VALUES);
          assertTrue(d.blocks() >= 1 && d.blocks() <= 2, d.toString());
        }
        RoundTripTest.assertScan(r, e, null, 4096, 0, r.numRows(), ctx);
        RoundTripTest.assertScan(r, e, null, 777, 100, r.numRows() - 3, ctx);
        Random rnd = new Random(SEED);
        long[] ids = new long[500];
        for (int i = 0; i < ids.length; i++) {
          ids[i] = (long) (rnd.nextDouble() * r.numRows());
        }
        try (VectorSchemaRoot got = r.take(ids, null)) {
          e.assertRows(got, null, ids, ctx + " take");
        }
        r.verifyColumn(r.columnIndex("enc_codes_utf8"));
      }
    }
  }

  /** Every per-block encoding (shared dictionaries off, so per-block dictionaries are chosen too). */
  @ParameterizedTest
  @EnumSource(Codec.class)
  void everyEncodingIsChosenAndReadsBack(Codec codec) throws Exception {
    Path file = dir.resolve("enc.weft");
    WriterOptions options = WriterOptions.builder().compression(codec).maxRowGroupRows(9000)
        .sharedDictionaries(false).build();
    String ctx = "seed=" + SEED + " " + options;
    try (BufferAllocator alloc = new RootAllocator(); Expected e = data(alloc, 6000, 1, 7000)) {
      RoundTripTest.write(file, e, options, alloc);
      try (WeftReader r = WeftReader.open(file, alloc)) {
        assertEquals(WeftFormat.VERSION_MAJOR_CURRENT + "." + WeftFormat.VERSION_MINOR_CURRENT, r.formatVersion());
        for (Map.Entry<String, String> want : EncodingColumns.EXPECTED.entrySet()) {
          if (codec == Codec.NONE && EncodingColumns.NEEDS_CODEC.contains(want.getValue())
              || codec == Codec.ZSTD && EncodingColumns.NOT_WITH_ZSTD.contains(want.getValue())) {
            continue;
          }
          NodeStats s = r.nodeStats(r.columnIndex(want.getKey())).get(0);
          System.out.printf("EncodingRoundTripTest %s %s: %s%n", codec, want.getKey(), s.encodings().values());
          assertTrue(s.encodings().containsKey(want.getValue()), ctx + ": column " + want.getKey()
              + " should use " + want.getValue() + " but uses " + s.encodings().keySet());
        }
        RoundTripTest.assertScan(r, e, null, 4096, 0, r.numRows(), ctx);
        RoundTripTest.assertScan(r, e, null, 777, 100, r.numRows() - 3, ctx);
        Random rnd = new Random(SEED);
        long[] ids = new long[500];
        for (int i = 0; i < ids.length; i++) {
          ids[i] = (long) (rnd.nextDouble() * r.numRows());
        }
        try (VectorSchemaRoot got = r.take(ids, null)) {
          e.assertRows(got, null, ids, ctx + " take");
        }
        for (String col : e.names()) {
          long[] one = {ids[0]};
          try (VectorSchemaRoot got = r.take(one, List.of(col))) {
            e.assertRows(got, List.of(col), one, ctx + " take " + col);
          }
        }
      }
    }
  }

  /** Tiny blocks: many blocks, encodings of a handful of values, several row groups. */
  @Test
  void tinyBlocks() throws Exception {
    Path file = dir.resolve("tiny.weft");
    WriterOptions options = WriterOptions.builder().miniBlockBytes(256).valuesPerMiniBlock(8)
        .targetPageBytes(1024).maxRowGroupRows(50).build();
    try (BufferAllocator alloc = new RootAllocator(); Expected e = data(alloc, 120, 0, 3, 77)) {
      RoundTripTest.write(file, e, options, alloc);
      try (WeftReader r = WeftReader.open(file, alloc)) {
        RoundTripTest.assertScan(r, e, null, 13, 0, r.numRows(), "tiny");
        long[] ids = new long[(int) r.numRows()];
        for (int i = 0; i < ids.length; i++) {
          ids[i] = ids.length - 1 - i;
        }
        try (VectorSchemaRoot got = r.take(ids, null)) {
          e.assertRows(got, null, ids, "tiny take");
        }
      }
    }
  }

  /** Encodings off: every block plain, as format 1.0 wrote them (but a 2.0 file). */
  @Test
  void encodingsOffKeepsEveryBlockPlain() throws Exception {
    Path file = dir.resolve("plain.weft");
    WriterOptions options = WriterOptions.builder().encodings(false).build();
    try (BufferAllocator alloc = new RootAllocator(); Expected e = data(alloc, 3000)) {
      RoundTripTest.write(file, e, options, alloc);
      try (WeftReader r = WeftReader.open(file, alloc)) {
        List<String> used = new ArrayList<>();
        for (int c = 0; c < r.numColumns(); c++) {
          for (NodeStats s : r.nodeStats(c)) {
            used.addAll(s.encodings().keySet());
          }
        }
        assertTrue(used.stream().allMatch("PLAIN"::equals), used.toString());
        RoundTripTest.assertScan(r, e, null, 1000, 0, r.numRows(), "plain");
      }
    }
  }
}

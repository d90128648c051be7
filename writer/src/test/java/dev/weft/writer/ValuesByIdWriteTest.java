package dev.weft.writer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BaseLargeVariableWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Strings given by id ({@link ValueIds#byId}: the vector's data buffer left unwritten, each
 * value its id's entry) against the general path they replace: a file written from such batches
 * has the same bytes as one written from the same batches with their values in the vectors and
 * no ids at all. Covered: nulls, empty and long values, the scope changing between batches (a
 * pending block then mixes values by id and copied ones), batches with their values interleaved
 * (a Parquet chunk that fell back to PLAIN pages: some ids -1), small row groups (the shared
 * dictionaries restart, sample, reorder and are checked against the per-block encodings), a
 * vocabulary larger than the shared dictionary's cap (it fills up: blocks need their values), a
 * column with a bloom filter (its vector gets its bytes first) and Utf8, LargeUtf8 and Binary.
 * Only the random file id differs.
 */
class ValuesByIdWriteTest {
  private static final int FILE_ID_AT = 8;
  private static final int FILE_ID_LENGTH = 24;
  private static final int TAIL_SLACK = 512;
  private static final List<String> STRINGS = List.of("s", "big", "bin", "wide", "bloom");

  @TempDir Path dir;

  @Test
  void valuesByIdChangeNothingWritten() throws Exception {
    for (long seed : new long[] {0xB1DL, 2}) {
      check(seed, WriterOptions.builder().maxRowGroupRows(25_000).bloomFilter("bloom", 0.01).build(), 12_000);
    }
    // default row groups (blocks stored as codes without comparing, and the periodic comparisons),
    // one thread and then three (lanes)
    check(3, WriterOptions.builder().threads(1).build(), 40_000);
    check(4, WriterOptions.builder().threads(3).bloomFilter("bloom", 0.01).build(), 12_000);
    // blocks under 256 values: each compares codes with the per-block encodings of its values
    check(5, WriterOptions.builder().valuesPerMiniBlock(200).build(), 12_000);
    // no shared dictionaries: values by id are copied into each block
    check(6, WriterOptions.builder().sharedDictionaries(false).bloomFilter("bloom", 0.01).build(), 12_000);
    // no encodings: every block is stored plain
    check(7, WriterOptions.builder().encodings(false).build(), 12_000);
  }

  private void check(long seed, WriterOptions options, int batchRows) throws Exception {
    Schema schema = new Schema(List.of(
        Field.nullable("s", ArrowType.Utf8.INSTANCE),
        Field.nullable("big", ArrowType.LargeUtf8.INSTANCE),
        Field.nullable("bin", ArrowType.Binary.INSTANCE),
        Field.nullable("wide", ArrowType.Utf8.INSTANCE),
        Field.nullable("bloom", ArrowType.Utf8.INSTANCE),
        Field.nullable("n", new ArrowType.Int(64, true))));
    try (BufferAllocator alloc = new RootAllocator()) {
      List<VectorSchemaRoot> plain = new ArrayList<>();
      List<VectorSchemaRoot> byId = new ArrayList<>();
      List<ValueIds[]> ids = new ArrayList<>();
      try {
        Random r = new Random(seed);
        Object[] scopes = {new Object(), new Object(), new Object()};
        for (int b = 0; b < 8; b++) {
          batch(schema, alloc, r, batchRows + r.nextInt(5_000), scopes[b / 3], b % 4 == 3, plain, byId, ids);
        }
        Path with = dir.resolve("by-id-" + seed + ".weft");
        Path without = dir.resolve("plain-" + seed + ".weft");
        try (WeftWriter w = WeftWriter.open(with, schema, null, options, alloc)) {
          for (int b = 0; b < byId.size(); b++) {
            w.write(byId.get(b), ids.get(b));
          }
        }
        try (WeftWriter w = WeftWriter.open(without, schema, null, options, alloc)) {
          for (VectorSchemaRoot root : plain) {
            w.write(root);
          }
        }
        byte[] x = Files.readAllBytes(with);
        byte[] y = Files.readAllBytes(without);
        String ctx = "seed " + seed;
        assertEquals(y.length, x.length, ctx);
        assertArrayEquals(Arrays.copyOfRange(y, 0, FILE_ID_AT), Arrays.copyOfRange(x, 0, FILE_ID_AT), ctx);
        int end = Math.max(FILE_ID_AT + FILE_ID_LENGTH, x.length - TAIL_SLACK);
        assertArrayEquals(Arrays.copyOfRange(y, FILE_ID_AT + FILE_ID_LENGTH, end),
            Arrays.copyOfRange(x, FILE_ID_AT + FILE_ID_LENGTH, end), ctx);
      } finally {
        for (VectorSchemaRoot root : byId) {
          for (int c = 0; c < root.getFieldVectors().size(); c++) {
            FieldVector v = root.getVector(c);
            if (!plain.isEmpty() && plain.get(byId.indexOf(root)).getVector(c) != v) {
              v.close();
            }
          }
        }
        for (VectorSchemaRoot root : plain) {
          root.close();
        }
      }
    }
  }

  /** A writer that is promised values by id but meets a row without one fails clearly. */
  @Test
  void aRowWithoutAnIdIsRefused() throws Exception {
    Schema schema = new Schema(List.of(Field.nullable("s", ArrowType.Utf8.INSTANCE)));
    try (BufferAllocator alloc = new RootAllocator();
         VectorSchemaRoot root = VectorSchemaRoot.create(schema, alloc)) {
      org.apache.arrow.vector.VarCharVector v = (org.apache.arrow.vector.VarCharVector) root.getVector(0);
      v.allocateNew(4);
      for (int i = 0; i < 4; i++) {
        v.setSafe(i, "ab".getBytes(StandardCharsets.UTF_8));
      }
      root.setRowCount(4);
      ValueIds ids = new ValueIds(new Object(), 1, new int[] {0, 0, -1, 0}, "ab".getBytes(StandardCharsets.UTF_8),
          new int[] {0, 2});
      try (WeftWriter w = WeftWriter.open(dir.resolve("bad.weft"), schema, null, WriterOptions.defaults(), alloc)) {
        assertThrows(IllegalArgumentException.class, () -> {
          w.write(root, new ValueIds[] {ids});
          w.close();
        });
      }
    }
  }

  /**
   * One batch both ways: {@code plain} with every value in the vectors, {@code byId} with the
   * string columns' data buffers left as garbage and their values given by id (unless
   * {@code fallback}: then the same vectors, with a tenth of the rows' ids -1, as a Parquet
   * chunk's PLAIN pages give).
   */
  private static void batch(Schema schema, BufferAllocator alloc, Random r, int rows, Object scope, boolean fallback,
      List<VectorSchemaRoot> plain, List<VectorSchemaRoot> byId, List<ValueIds[]> idsOut) {
    VectorSchemaRoot root = VectorSchemaRoot.create(schema, alloc);
    plain.add(root);
    String[] vocab = new String[300];
    for (int i = 0; i < vocab.length; i++) {
      vocab[i] = i == 1 ? "" : i % 7 == 0 ? "a-rather-long-value-" + i : "v" + i;
    }
    // more distinct bytes than a shared dictionary holds (1 MiB): it fills up
    String[] wideVocab = new String[120_000];
    for (int i = 0; i < wideVocab.length; i++) {
      wideVocab[i] = "wide-value-number-" + i;
    }
    ValueIds[] ids = new ValueIds[schema.getFields().size()];
    List<FieldVector> vectors = new ArrayList<>();
    for (int c = 0; c < ids.length; c++) {
      FieldVector v = root.getVector(c);
      String name = v.getName();
      int[] id = new int[rows];
      if (name.equals("n")) {
        BigIntVector n = (BigIntVector) v;
        n.allocateNew(rows);
        for (int i = 0; i < rows; i++) {
          int k = r.nextDouble() < 0.05 ? -1 : r.nextInt(500);
          if (k < 0) {
            n.setNull(i);
          } else {
            n.set(i, 1_000_000L * k + 7);
          }
          id[i] = k;
        }
        v.setValueCount(rows);
        ids[c] = new ValueIds(scope, 500, id);
        vectors.add(v);
        continue;
      }
      String[] words = name.equals("wide") ? wideVocab : vocab;
      byte[][] entries = new byte[words.length][];
      for (int i = 0; i < words.length; i++) {
        entries[i] = words[i].getBytes(StandardCharsets.UTF_8);
      }
      v.allocateNew();
      // columns without nulls have blocks coded from their ids alone (a null's code is not known by id)
      double nulls = name.equals("s") || name.equals("bin") ? 0 : 0.05;
      for (int i = 0; i < rows; i++) {
        double u = r.nextDouble();
        if (u < nulls) {
          setNull(v, i);
          id[i] = -1;
          continue;
        }
        int k = name.equals("wide") ? r.nextInt(words.length) : u < 0.6 ? r.nextInt(5) : r.nextInt(words.length);
        setSafe(v, i, entries[k]);
        id[i] = fallback && r.nextDouble() < 0.1 ? -1 : k;
      }
      v.setValueCount(rows);
      if (fallback) {
        ids[c] = new ValueIds(scope, words.length, id);
        vectors.add(v);
      } else {
        byte[] all = new byte[Arrays.stream(entries).mapToInt(e -> e.length).sum()];
        int[] starts = new int[entries.length + 1];
        for (int i = 0; i < entries.length; i++) {
          System.arraycopy(entries[i], 0, all, starts[i], entries[i].length);
          starts[i + 1] = starts[i] + entries[i].length;
        }
        ids[c] = new ValueIds(scope, words.length, id, all, starts);
        vectors.add(withoutData(v, alloc, rows));
      }
    }
    root.setRowCount(rows);
    byId.add(new VectorSchemaRoot(schema, vectors, rows));
    idsOut.add(ids);
  }

  /** A copy of {@code v}'s validity and offsets whose data buffer holds garbage. */
  private static FieldVector withoutData(FieldVector v, BufferAllocator alloc, int rows) {
    FieldVector d = v.getField().createVector(alloc);
    boolean large = v instanceof BaseLargeVariableWidthVector;
    long bytes = v.getDataBuffer().capacity();
    int ow = large ? 8 : 4;
    if (large) {
      ((BaseLargeVariableWidthVector) d).allocateNew(bytes, rows);
    } else {
      ((BaseVariableWidthVector) d).allocateNew(bytes, rows);
    }
    d.getValidityBuffer().setBytes(0, v.getValidityBuffer(), 0, (rows + 7) / 8);
    d.getOffsetBuffer().setBytes(0, v.getOffsetBuffer(), 0, (long) (rows + 1) * ow);
    for (long i = 0; i < d.getDataBuffer().capacity(); i++) {
      d.getDataBuffer().setByte(i, 0xA5);
    }
    if (large) {
      ((BaseLargeVariableWidthVector) d).setLastSet(rows - 1);
    } else {
      ((BaseVariableWidthVector) d).setLastSet(rows - 1);
    }
    d.setValueCount(rows);
    return d;
  }

  private static void setSafe(FieldVector v, int i, byte[] b) {
    if (v instanceof BaseLargeVariableWidthVector l) {
      l.setSafe(i, b);
    } else {
      ((BaseVariableWidthVector) v).setSafe(i, b);
    }
  }

  private static void setNull(FieldVector v, int i) {
    if (v instanceof BaseLargeVariableWidthVector l) {
      l.setNull(i);
    } else {
      ((BaseVariableWidthVector) v).setNull(i);
    }
  }
}

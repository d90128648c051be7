package dev.weft.reader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.writer.ValueIds;
import dev.weft.writer.WeftWriter;
import dev.weft.writer.WriterOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.LargeVarCharVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Value ids ({@link ValueIds}, e.g. a Parquet chunk's dictionary indices) only spare the writer
 * work: a file written with them has the same bytes as one written without (shared dictionary
 * codes, zone maps), also where ids are missing for some rows (a chunk that fell back to plain
 * pages, nulls), where the scope changes between batches (a new Parquet column chunk), and where
 * a dictionary fills up or is ordered by frequency. Only the random file id differs.
 */
class ValueIdsWriteTest {
  private static final int FILE_ID_AT = 8;
  private static final int FILE_ID_LENGTH = 24;
  private static final int TAIL_SLACK = 512;

  @TempDir Path dir;

  /** One batch and the ids a dictionary-encoding source would give for it. */
  private record Batch(VectorSchemaRoot root, ValueIds[] ids) {}

  @Test
  void idsChangeNothingWritten() throws Exception {
    long seed = 0x1D5L;
    Schema schema = new Schema(List.of(
        Field.nullable("s", ArrowType.Utf8.INSTANCE),
        Field.nullable("big", ArrowType.LargeUtf8.INSTANCE),
        Field.nullable("n", new ArrowType.Int(64, true)),
        Field.nullable("plain", ArrowType.Utf8.INSTANCE)));
    // small row groups: the dictionaries restart, sample and reorder several times
    WriterOptions options = WriterOptions.builder().maxRowGroupRows(25_000).build();
    try (BufferAllocator alloc = new RootAllocator()) {
      List<Batch> batches = new ArrayList<>();
      try {
        Random r = new Random(seed);
        Object[] scopes = {new Object(), new Object(), new Object()};
        for (int b = 0; b < 8; b++) {
          batches.add(batch(schema, alloc, r, 12_000 + r.nextInt(5_000), scopes[b / 3]));
        }
        Path with = dir.resolve("with.weft");
        Path without = dir.resolve("without.weft");
        try (WeftWriter w = WeftWriter.open(with, schema, null, options, alloc)) {
          for (Batch b : batches) {
            w.write(b.root(), b.ids());
          }
        }
        try (WeftWriter w = WeftWriter.open(without, schema, null, options, alloc)) {
          for (Batch b : batches) {
            w.write(b.root());
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
        for (Batch b : batches) {
          b.root().close();
        }
      }
    }
  }

  /**
   * Rows drawn from vocabularies (a few frequent values, a long tail); ids are vocabulary
   * indices, -1 for nulls and for a tenth of the rows (as from a page stored without the
   * dictionary). Column "plain" has many distinct values, so its shared dictionary fills up.
   */
  private static Batch batch(Schema schema, BufferAllocator alloc, Random r, int rows, Object scope) {
    VectorSchemaRoot root = VectorSchemaRoot.create(schema, alloc);
    String[] vocab = new String[300];
    for (int i = 0; i < vocab.length; i++) {
      vocab[i] = i % 7 == 0 ? "a-rather-long-value-" + i : "v" + i;
    }
    long[] numbers = new long[500];
    for (int i = 0; i < numbers.length; i++) {
      numbers[i] = 1_000_000L * i + 7;
    }
    int plainVocab = 200_000;
    int[] sIds = new int[rows];
    int[] bigIds = new int[rows];
    int[] nIds = new int[rows];
    int[] plainIds = new int[rows];
    VarCharVector s = (VarCharVector) root.getVector("s");
    LargeVarCharVector big = (LargeVarCharVector) root.getVector("big");
    BigIntVector n = (BigIntVector) root.getVector("n");
    VarCharVector plain = (VarCharVector) root.getVector("plain");
    s.allocateNew(rows);
    big.allocateNew(rows);
    n.allocateNew(rows);
    plain.allocateNew(rows);
    for (int i = 0; i < rows; i++) {
      final int row = i;
      sIds[i] = fill(r, vocab.length, k -> s.setSafe(row, vocab[k].getBytes(StandardCharsets.UTF_8)),
          () -> s.setNull(row));
      bigIds[i] = fill(r, vocab.length, k -> big.setSafe(row, vocab[k].getBytes(StandardCharsets.UTF_8)),
          () -> big.setNull(row));
      nIds[i] = fill(r, numbers.length, k -> n.setSafe(row, numbers[k]), () -> n.setNull(row));
      int k = r.nextInt(plainVocab);
      plain.setSafe(i, ("p" + k).getBytes(StandardCharsets.UTF_8));
      plainIds[i] = k;
    }
    root.setRowCount(rows);
    ValueIds[] ids = {new ValueIds(scope, vocab.length, sIds), new ValueIds(scope, vocab.length, bigIds),
        new ValueIds(scope, numbers.length, nIds), new ValueIds(scope, plainVocab, plainIds)};
    return new Batch(root, ids);
  }

  /** Sets a skewed random value (or a null) through the callbacks; returns its id (-1 for a null or no id). */
  private static int fill(Random r, int vocab, java.util.function.IntConsumer set, Runnable setNull) {
    double u = r.nextDouble();
    if (u < 0.05) {
      setNull.run();
      return -1;
    }
    int k = u < 0.6 ? r.nextInt(5) : r.nextInt(vocab);
    set.accept(k);
    return r.nextDouble() < 0.1 ? -1 : k;
  }
}

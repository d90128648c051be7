package dev.weft.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.cli.CliRun;
import dev.weft.cli.CliRun.Result;
import dev.weft.cli.Fixtures;
import dev.weft.testdata.ArrowAssert;
import dev.weft.testdata.RandomArrow;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.IntUnaryOperator;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --format arrow}: the Arrow IPC stream on stdout, read back with Arrow Java's
 * {@link ArrowStreamReader}, equals the rows that were written (every supported type, nested
 * ones included), for cat, head and take, with projections, across many batches.
 */
class ArrowOutputTest {
  static final int ROWS = 700;
  static final RandomArrow.Options OPTIONS = RandomArrow.Options.defaults();

  @TempDir static Path dir;
  static BufferAllocator alloc;
  static Schema schema;
  static Path file;
  static VectorSchemaRoot expected;

  @BeforeAll
  static void writeFile() throws IOException {
    alloc = new RootAllocator();
    schema = RandomArrow.allTypesSchema();
    file = Fixtures.randomFile(dir, "all.weft", schema, ROWS, OPTIONS);
    expected = Fixtures.randomRows(schema, ROWS, OPTIONS, alloc);
  }

  @AfterAll
  static void close() {
    expected.close();
    alloc.close();
  }

  /** Reads a stream; checks each batch against {@code expected} rows {@code rowOf(i)}; returns the batch sizes. */
  static List<Integer> readAndCompare(byte[] stream, Schema expectedSchema, VectorSchemaRoot expectedRows,
      IntUnaryOperator rowOf) throws IOException {
    List<Integer> sizes = new ArrayList<>();
    try (BufferAllocator a = new RootAllocator();
        ArrowStreamReader reader = new ArrowStreamReader(new ByteArrayInputStream(stream), a)) {
      VectorSchemaRoot root = reader.getVectorSchemaRoot();
      ArrowAssert.assertSchemaEquals(expectedSchema, root.getSchema());
      int next = 0;
      while (reader.loadNextBatch()) {
        int[] rows = new int[root.getRowCount()];
        for (int i = 0; i < rows.length; i++) {
          rows[i] = rowOf.applyAsInt(next + i);
        }
        ArrowAssert.assertRowsEqual(expectedRows, rows, root);
        next += rows.length;
        sizes.add(rows.length);
      }
    }
    return sizes;
  }

  private static Result ok(String... args) {
    Result r = CliRun.run(args);
    assertEquals(0, r.rc(), r::all);
    assertEquals("", r.err(), r::all);
    return r;
  }

  @Test
  void catStreamsEveryRowOfEveryType() throws IOException {
    Result r = ok("cat", file.toString(), "--format", "arrow");
    List<Integer> sizes = readAndCompare(r.stdoutBytes(), schema, expected, i -> i);
    assertEquals(ROWS, sizes.stream().mapToInt(Integer::intValue).sum());
  }

  @Test
  void headAndTakeWithProjection() throws IOException {
    List<String> cols = List.of("map_utf8_int64", "int8", "list_struct", "timestamp_ns_new_york");
    Schema projected = new Schema(cols.stream().map(c -> schema.findField(c)).toList());
    // a view of the expected vectors (not closed: they belong to the expected root)
    VectorSchemaRoot exp = new VectorSchemaRoot(projected,
        cols.stream().map(c -> (FieldVector) expected.getVector(c)).toList(), ROWS);
    {
      Result head = ok("head", file.toString(), "-n", "123", "-c", String.join(",", cols), "-f", "arrow");
      assertEquals(123, readAndCompare(head.stdoutBytes(), projected, exp, i -> i).stream().mapToInt(x -> x).sum());
      int[] ids = {5, 699, 0, 5, 300, 301, 302, 303};
      Result take = ok("take", file.toString(), "--rows", "5,699,0,5,300-303", "-c", String.join(",", cols),
          "-f", "arrow");
      assertEquals(ids.length, readAndCompare(take.stdoutBytes(), projected, exp, i -> ids[i]).stream()
          .mapToInt(x -> x).sum());
    }
  }

  @Test
  void randomNestedSchemas() throws IOException {
    for (int seed = 1; seed <= 3; seed++) {
      Schema s = RandomArrow.randomSchema(new Random(seed), 5, 3);
      Path f = Fixtures.randomFile(dir, "random" + seed + ".weft", s, 200, OPTIONS);
      try (VectorSchemaRoot exp = Fixtures.randomRows(s, 200, OPTIONS, alloc)) {
        Result r = ok("cat", f.toString(), "--format", "arrow");
        readAndCompare(r.stdoutBytes(), s, exp, i -> i);
        // every text format renders every value without failing
        for (String format : new String[] {"jsonl", "csv", "table"}) {
          Result t = ok("cat", f.toString(), "--format", format);
          assertTrue(t.out().split("\n", -1).length >= 200, t::all);
        }
      }
    }
  }

  @Test
  void largeValuesAreStreamedInSmallBatches() throws IOException {
    // 24 rows of 1 MiB: batches of a few MiB, not one 24 MiB batch
    Schema s = new Schema(List.of(new Field("blob", FieldType.nullable(ArrowType.Binary.INSTANCE), null)));
    RandomArrow.Options big = RandomArrow.Options.builder().nullProbability(0).hugeProbability(1.0)
        .hugeValueBytes(1 << 20).build();
    Path f = Fixtures.randomFile(dir, "blobs.weft", s, 24, big);
    try (VectorSchemaRoot exp = Fixtures.randomRows(s, 24, big, alloc)) {
      Result r = ok("cat", f.toString(), "--format", "arrow");
      List<Integer> sizes = readAndCompare(r.stdoutBytes(), s, exp, i -> i);
      assertEquals(24, sizes.stream().mapToInt(x -> x).sum());
      assertTrue(sizes.size() >= 3 && sizes.stream().allMatch(n -> n <= 8), () -> "batch sizes " + sizes);
    }
  }

  @Test
  void emptyFileGivesASchemaOnlyStream() throws IOException {
    Path f = Fixtures.randomFile(dir, "empty.weft", schema, 0, OPTIONS);
    Result r = ok("cat", f.toString(), "--format", "arrow");
    assertEquals(List.of(), readAndCompare(r.stdoutBytes(), schema, expected, i -> i));
    assertEquals("", ok("cat", f.toString()).out());
    assertTrue(ok("head", f.toString()).out().endsWith("(all 0 rows of 0)\n"));
  }
}

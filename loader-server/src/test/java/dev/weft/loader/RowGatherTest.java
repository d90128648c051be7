package dev.weft.loader;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.testdata.ArrowAssert;
import dev.weft.testdata.RandomArrow;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;

/** The buffer-level row gather behind multi-file batches, on every type and random nestings. */
class RowGatherTest {

  /** Gathers random rows (with repeats) from several sources and checks every value. */
  private static void check(Schema schema, long seed, BufferAllocator alloc) {
    Random rnd = new Random(seed);
    int numSources = 1 + rnd.nextInt(4);
    List<VectorSchemaRoot> sources = new ArrayList<>();
    try {
      for (int s = 0; s < numSources; s++) {
        sources.add(RandomArrow.generate(schema, rnd.nextInt(60), seed * 31 + s, alloc, 0.2));
      }
      sources.add(RandomArrow.generate(schema, 40, seed * 31 + 99, alloc, 0.2)); // never empty
      int n = rnd.nextInt(120);
      int[] src = new int[n];
      int[] rows = new int[n];
      for (int i = 0; i < n; i++) {
        do {
          src[i] = rnd.nextInt(sources.size());
        } while (sources.get(src[i]).getRowCount() == 0);
        rows[i] = rnd.nextInt(sources.get(src[i]).getRowCount());
      }
      try (VectorSchemaRoot out = RowGather.gather(sources, src, rows, alloc)) {
        assertEquals(n, out.getRowCount());
        ArrowAssert.assertSchemaEquals(schema, out.getSchema());
        for (int i = 0; i < n; i++) {
          for (FieldVector av : out.getFieldVectors()) {
            ArrowAssert.assertVectorRangeEquals(sources.get(src[i]).getVector(av.getName()), rows[i], av, i, 1,
                av.getName() + " (seed " + seed + ", output row " + i + ")");
          }
        }
        if (numSources == 1) {
          // one source: the same check through assertRowsEqual on whole columns
          int[] only = new int[n];
          int m = 0;
          for (int i = 0; i < n; i++) {
            if (src[i] == 0) {
              only[m++] = rows[i];
            }
          }
          if (m == n) {
            ArrowAssert.assertRowsEqual(sources.get(0), only, out);
          }
        }
      }
    } finally {
      for (VectorSchemaRoot r : sources) {
        r.close();
      }
    }
  }

  @Test
  void allTypes() {
    try (BufferAllocator alloc = new RootAllocator()) {
      for (long seed = 0; seed < 6; seed++) {
        check(RandomArrow.allTypesSchema(), seed, alloc);
      }
    }
  }

  @Test
  void randomNestedSchemas() {
    try (BufferAllocator alloc = new RootAllocator()) {
      for (long seed = 100; seed < 160; seed++) {
        check(RandomArrow.randomSchema(new Random(seed), 6, 3), seed, alloc);
      }
    }
  }

  @Test
  void outOfRangeRowsAreRefusedBeforeAnyRead() {
    try (BufferAllocator alloc = new RootAllocator();
        VectorSchemaRoot a = RandomArrow.generate(RandomArrow.allTypesSchema(), 5, 1, alloc, 0.2)) {
      org.junit.jupiter.api.Assertions.assertThrows(IndexOutOfBoundsException.class,
          () -> RowGather.gather(List.of(a), new int[] {0, 0}, new int[] {1, 5}, alloc));
      org.junit.jupiter.api.Assertions.assertThrows(IndexOutOfBoundsException.class,
          () -> RowGather.gather(List.of(a), new int[] {1}, new int[] {0}, alloc));
      org.junit.jupiter.api.Assertions.assertThrows(IndexOutOfBoundsException.class,
          () -> RowGather.gather(List.of(a), new int[] {0}, new int[] {-1}, alloc));
    }
  }

  @Test
  void emptyOutput() {
    try (BufferAllocator alloc = new RootAllocator();
        VectorSchemaRoot a = RandomArrow.generate(RandomArrow.allTypesSchema(), 5, 1, alloc, 0.2);
        VectorSchemaRoot out = RowGather.gather(List.of(a), new int[0], new int[0], alloc)) {
      assertEquals(0, out.getRowCount());
      ArrowAssert.assertSchemaEquals(a.getSchema(), out.getSchema());
    }
  }
}

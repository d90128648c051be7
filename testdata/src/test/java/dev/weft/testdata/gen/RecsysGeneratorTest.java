package dev.weft.testdata.gen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.testdata.ArrowAssert;
import java.util.HashMap;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;

class RecsysGeneratorTest {
  @Test
  void schemaHasTheRecsysColumns() {
    Schema s = RecsysGenerator.schema();
    assertEquals(32 + 16 + 3, s.getFields().size());
    assertEquals("f0", s.getFields().get(0).getName());
    assertEquals("f31", s.getFields().get(31).getName());
    assertEquals("c0", s.getFields().get(32).getName());
    assertEquals("c15", s.getFields().get(47).getName());
    assertEquals("List(Int(64, true))", s.findField("history").getType() + "(" + s.findField("history")
        .getChildren().get(0).getType() + ")");
    assertEquals("FixedSizeList(64)", s.findField("embedding").getType().toString());
    assertEquals("Int(8, true)", s.findField("label").getType().toString());
  }

  @Test
  void batchesCoverTheRowsAndAreReproducible() {
    RecsysGenerator g = new RecsysGenerator(20_000, 7);
    assertEquals(3, g.numBatches());
    assertEquals(16_384, g.batchStart(2));
    assertEquals(20_000 - 16_384, g.batchLength(2));
    assertEquals(2, g.batchOf(19_999));
    assertThrows(IllegalArgumentException.class, () -> g.batchOf(20_000));
    try (BufferAllocator alloc = new RootAllocator();
        VectorSchemaRoot a = g.batch(2, alloc);
        VectorSchemaRoot b = new RecsysGenerator(20_000, 7).batch(2, alloc);
        VectorSchemaRoot reused = g.newRoot(alloc)) {
      assertEquals(3616, a.getRowCount());
      ArrowAssert.assertRootEquals(a, b);
      g.fill(reused, 0); // refilling a root replaces its contents
      g.fill(reused, 2);
      ArrowAssert.assertRootEquals(a, reused);
      try (VectorSchemaRoot other = new RecsysGenerator(20_000, 8).batch(2, alloc)) {
        assertThrows(AssertionError.class, () -> ArrowAssert.assertRootEquals(a, other));
      }
    }
  }

  @Test
  void valuesHaveTheIntendedShapes() {
    RecsysGenerator g = new RecsysGenerator(8192, 42);
    try (BufferAllocator alloc = new RootAllocator(); VectorSchemaRoot root = g.batch(0, alloc)) {
      int n = root.getRowCount();
      ListVector history = (ListVector) root.getVector("history");
      long values = 0;
      for (int r = 0; r < n; r++) {
        int len = history.getElementEndIndex(r) - history.getElementStartIndex(r);
        assertTrue(len >= 0 && len <= RecsysGenerator.MAX_HISTORY, "history length " + len);
        values += len;
      }
      assertTrue(values > n * 20L && values < n * 30L, "mean history length " + (double) values / n);
      FixedSizeListVector emb = (FixedSizeListVector) root.getVector("embedding");
      assertEquals(n * RecsysGenerator.EMBEDDING_DIM, emb.getDataVector().getValueCount());

      TinyIntVector label = (TinyIntVector) root.getVector("label");
      int positives = 0;
      for (int r = 0; r < n; r++) {
        assertTrue(label.get(r) == 0 || label.get(r) == 1);
        positives += label.get(r);
      }
      assertTrue(positives > n / 100 && positives < n / 5, "positives " + positives);

      BigIntVector c4 = (BigIntVector) root.getVector("c4"); // 50 values
      BigIntVector c1 = (BigIntVector) root.getVector("c1"); // 1,000,000 values, skewed
      BigIntVector c9 = (BigIntVector) root.getVector("c9"); // hashed ids
      Map<Long, Integer> counts = new HashMap<>();
      for (int r = 0; r < n; r++) {
        assertTrue(c4.get(r) >= 0 && c4.get(r) < 50);
        assertTrue(c1.get(r) >= 0 && c1.get(r) < 1_000_000);
        assertTrue(c9.get(r) >= 0);
        counts.merge(c1.get(r), 1, Integer::sum);
      }
      int top = counts.values().stream().max(Integer::compare).orElse(0);
      // uniform ids would repeat about 0.07 times; Zipf(1.1) gives the top id several percent
      assertTrue(top > 200, "most frequent c1 id appears " + top + " times");
    }
  }
}

package dev.weft.testdata.gen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.testdata.ArrowAssert;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GeneratorTest {
  @ParameterizedTest
  @ValueSource(strings = {"recsys", "wide", "text"})
  void batchesArePureFunctionsOfSeedAndIndex(String kind) {
    TableGenerator g = GenMain.generator(kind, 1000, 11, 300, 256);
    TableGenerator other = GenMain.generator(kind, 1000, 12, 300, 256);
    assertEquals(4, g.numBatches());
    try (BufferAllocator a = new RootAllocator();
        VectorSchemaRoot x = g.newRoot(a);
        VectorSchemaRoot y = g.newRoot(a);
        VectorSchemaRoot z = other.newRoot(a)) {
      g.fill(x, 3);
      g.fill(y, 1);
      g.fill(y, 3); // the same batch again, after another one
      ArrowAssert.assertRootEquals(x, y);
      assertEquals(1000 - 3 * 256, x.getRowCount());
      other.fill(z, 3);
      assertTrue(!x.contentToTSVString().equals(z.contentToTSVString()), "another seed gives other data");
    }
  }

  @org.junit.jupiter.api.Test
  void wideHasTheColumnsAskedForAndTextHasRealisticLengths() {
    assertEquals(10_000, GenMain.generator("wide", 10, 1, 10_000, 10).schema().getFields().size());
    TableGenerator t = GenMain.generator("text", 2000, 1, 0, 2000);
    try (BufferAllocator a = new RootAllocator(); VectorSchemaRoot r = t.newRoot(a)) {
      t.fill(r, 0);
      VarCharVector body = (VarCharVector) r.getVector("body");
      long total = 0;
      for (int i = 0; i < r.getRowCount(); i++) {
        total += body.getValueLength(i);
      }
      double mean = total / (double) r.getRowCount();
      assertTrue(mean > 300 && mean < 2000, "mean body length " + mean);
    }
  }
}

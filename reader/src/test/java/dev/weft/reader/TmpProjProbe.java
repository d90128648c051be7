package dev.weft.reader;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

@EnabledIfSystemProperty(named = "weft.probe", matches = ".+")
class TmpProjProbe {
  @Test
  void probe() throws Exception {
    try (WeftReader r = WeftReader.open(Path.of(System.getProperty("weft.probe")), null,
        ReaderOptions.defaults().withBlockCacheBytes(256L << 20))) {
      List<List<String>> projs = new ArrayList<>();
      projs.add(List.of("label"));
      projs.add(List.of("f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7"));
      projs.add(List.of("f8", "f9", "f10", "f11", "f12", "f13", "f14", "f15"));
      projs.add(List.of("f16", "f17", "f18", "f19", "f20", "f21", "f22", "f23"));
      projs.add(List.of("f24", "f25", "f26", "f27", "f28", "f29", "f30", "f31"));
      projs.add(List.of("c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7"));
      projs.add(List.of("c8", "c9", "c10", "c11", "c12", "c13", "c14", "c15"));
      projs.add(List.of("history"));
      projs.add(List.of("embedding"));
      projs.add(null);
      SplittableRandom rnd = new SplittableRandom(1);
      long[] ids = new long[Integer.getInteger("probe.n", 256)];
      for (int round = 0; round < 3; round++) {
        for (List<String> p : projs) {
          int calls = round == 0 ? 300 : 200;
          long t0 = System.nanoTime();
          for (int c = 0; c < calls; c++) {
            for (int i = 0; i < ids.length; i++) {
              ids[i] = Boolean.getBoolean("probe.fixed") ? i * 3 : rnd.nextLong(r.numRows());
            }
            try (VectorSchemaRoot root = r.take(ids, p)) {
              if (root.getRowCount() != ids.length) throw new AssertionError();
            }
          }
          if (round > 0) {
            System.out.printf("%-60s %8.1f us%n", p == null ? "all" : String.join(",", p), (System.nanoTime() - t0) / 1e3 / calls);
          }
        }
      }
    }
  }
}

package dev.weft.reader.index;

import dev.weft.reader.WeftReader;
import dev.weft.reader.WeftScanner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

@EnabledIfSystemProperty(named = "weft.profile", matches = "true")
class WideProfileTest {
  @TempDir Path dir;

  @Test
  void phases() throws Exception {
    Path p = System.getProperty("weft.profile.file") != null ? Path.of(System.getProperty("weft.profile.file"))
        : WideSchemaTest.write(dir, Integer.getInteger("weft.profile.rows", 100));
    List<String> projection = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      projection.add(String.format("f%05d", i * 997));
    }
    try (BufferAllocator a = new RootAllocator()) {
      for (int rep = 0; rep < 30; rep++) {
        long t0 = System.nanoTime();
        WeftReader r = WeftReader.open(p, a);
        long t1 = System.nanoTime();
        for (String c : projection) {
          r.columnIndex(c);
        }
        long t2 = System.nanoTime();
        r.schema(projection);
        long t3 = System.nanoTime();
        try (WeftScanner s = r.scan(projection, 1 << 20); VectorSchemaRoot b = s.next()) {
          b.getRowCount();
        }
        if (rep == 29) {
          System.out.println(r.stats() + " " + r.nodeStats(r.columnIndex(projection.get(0))));
        }
        long t4 = System.nanoTime();
        r.close();
        long t5 = System.nanoTime();
        if (rep > 25) {
          System.out.printf("open %.3f lookup %.3f meta %.3f scan %.3f close %.3f ms%n", (t1 - t0) / 1e6,
              (t2 - t1) / 1e6, (t3 - t2) / 1e6, (t4 - t3) / 1e6, (t5 - t4) / 1e6);
        }
      }
    }
  }
}

package dev.weft.loader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's memory does not grow with the dataset (issue 4), checked without timing: a dataset
 * opened as the server opens it reads its files with positional reads, so after serving batches
 * (take path and decoded path) no part of any .weft file is mapped into the process
 * ({@code /proc/self/maps}), while the caches stay within their budgets and the batches are right.
 * With {@code memoryMap} true the same reads do map the file (so the check can fail).
 */
class ServerMemoryBoundTest {
  @TempDir Path dir;

  private static boolean mapped(Path file) throws Exception {
    String real = file.toRealPath().toString();
    for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
      if (line.endsWith(real) || line.contains(real + " ")) {
        return true;
      }
    }
    return false;
  }

  @Test
  void theServersDatasetMapsNoFileAndKeepsItsBudgets() throws Exception {
    try (BufferAllocator alloc = new RootAllocator(); Fixtures.Expected e = new Fixtures.Expected()) {
      Path a = dir.resolve("data/a.weft");
      Path b = dir.resolve("data/b.weft");
      e.add(a, Fixtures.simpleSchema(), 700, 1, Fixtures.small(), alloc);
      e.add(b, Fixtures.simpleSchema(), 500, 2, Fixtures.small(), alloc);
      long blockBudget = 64 << 10;
      // the default open (as the server's) reads with pread; budgets small enough to be exceeded
      try (WeftDataset ds = WeftDataset.open(List.of(dir.resolve("data")), alloc, 1 << 20, blockBudget, false)) {
        EpochOrder order = EpochOrder.create(ds, ShuffleOptions.global(7), 0);
        ShardPlan plan = ShardPlan.create(ds.numRows(), 0, 1, 64);
        BatchAssembler all = new BatchAssembler(ds, null); // utf8 and bool columns: take path
        BatchAssembler fixed = new BatchAssembler(ds, List.of("id", "f64")); // decoded path
        assertTrue(fixed.gathersDecoded(), "the fixed-width projection is gathered from decoded columns");
        for (long j = 0; j < plan.batchesPerRank(); j++) {
          long[] ids = plan.rowIdsOfBatch(order, j);
          try (VectorSchemaRoot r = all.assemble(ids)) {
            e.assertRows(ids, r);
          }
          try (VectorSchemaRoot r = fixed.assemble(ids)) {
            assertEquals(ids.length, r.getRowCount());
          }
        }
        assertFalse(mapped(a), "a.weft is memory-mapped by a server-mode dataset");
        assertFalse(mapped(b), "b.weft is memory-mapped by a server-mode dataset");
        assertTrue(ds.decodedColumns().heldBytes() <= ds.decodedColumns().capacityBytes());
        assertTrue(ds.blockCache().heldBytes() <= blockBudget, "block cache holds " + ds.blockCache().heldBytes());
      }
      // the check works: the same reads through a mapped dataset do map the file
      try (WeftDataset ds = WeftDataset.open(List.of(a), alloc, 0, blockBudget, true)) {
        try (VectorSchemaRoot r = new BatchAssembler(ds, null).assemble(new long[] {3, 1, 600})) {
          e.assertRows(new long[] {3, 1, 600}, r);
        }
        assertTrue(mapped(a), "a mapped dataset maps its file");
      }
    }
  }
}

package dev.weft.cli.parquet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;
import org.junit.jupiter.api.Test;

/** The recycling of {@link BufferPool}: reuse only once a vector let go, bounded, accounted, released. */
class BufferPoolTest {
  /** A vector of n longs on buffers from the pool (as FlatColumnReader loads them). */
  private static BigIntVector vector(BufferPool pool, BufferAllocator alloc, int n) {
    ArrowBuf valid = null;
    ArrowBuf data = null;
    try {
      valid = pool.take(0, alloc, (n + 7) / 8);
      data = pool.take(1, alloc, 8L * n);
      BigIntVector v = new BigIntVector("x", alloc);
      v.loadFieldBuffers(new ArrowFieldNode(n, 0), List.of(valid, data));
      return v;
    } finally {
      if (valid != null) {
        valid.close();
      }
      if (data != null) {
        data.close();
      }
    }
  }

  @Test
  void aBufferIsReusedOnlyAfterItsVectorIsClosed() {
    try (BufferAllocator alloc = new RootAllocator(); BufferPool pool = new BufferPool()) {
      BigIntVector a = vector(pool, alloc, 1000);
      long addr = a.getDataBuffer().memoryAddress();
      BigIntVector b = vector(pool, alloc, 1000); // a is still open: b gets other memory
      assertNotEquals(addr, b.getDataBuffer().memoryAddress());
      a.set(0, 42);
      a.close();
      BigIntVector c = vector(pool, alloc, 900); // a's buffers, not zeroed
      assertEquals(addr, c.getDataBuffer().memoryAddress());
      assertEquals(42, c.getDataBuffer().getLong(0));
      BigIntVector d = vector(pool, alloc, 100_000); // larger than any idle buffer: new memory
      assertTrue(d.getDataBuffer().capacity() >= 800_000);
      b.close();
      c.close();
      d.close();
      assertTrue(alloc.getAllocatedMemory() > 0, "idle buffers stay accounted in the allocator");
      assertEquals(6, pool.size());
    }
  }

  @Test
  void atMostPerKeyBuffersArePooledAndAllAreFreed() {
    try (BufferAllocator alloc = new RootAllocator()) {
      List<BigIntVector> open = new ArrayList<>();
      try (BufferPool pool = new BufferPool()) {
        for (int i = 0; i < BufferPool.PER_KEY + 3; i++) {
          open.add(vector(pool, alloc, 64)); // all in use at once: the ones past PER_KEY are the vectors' own
        }
        assertEquals(2 * BufferPool.PER_KEY, pool.size());
        open.remove(0).close();
      }
      // the pool is closed while vectors still hold its buffers: they live until those close
      for (BigIntVector v : open) {
        v.setSafe(63, 7);
        assertEquals(7, v.get(63));
        v.close();
      }
      assertEquals(0, alloc.getAllocatedMemory());
    }
  }

  @Test
  void anAllocationBeyondTheLimitFreesIdleBuffersFirst() {
    try (BufferAllocator alloc = new RootAllocator(4 << 20); BufferPool pool = new BufferPool()) {
      vector(pool, alloc, 120_000).close(); // 1 MiB of longs idle in the pool
      try (BigIntVector other = new BigIntVector("y", alloc)) {
        other.allocateNew(100_000); // 1 MiB beside them
        // 2 MiB of longs fit only once the idle buffers are gone
        try (BigIntVector big = vector(pool, alloc, 250_000)) {
          assertTrue(big.getDataBuffer().capacity() >= 2_000_000);
          // while big is in use there is nothing to free
          assertThrows(OutOfMemoryException.class, () -> vector(pool, alloc, 250_000));
        }
      }
    }
  }

  @Test
  void anotherAllocatorStartsAfresh() {
    try (BufferAllocator root = new RootAllocator();
         BufferAllocator a = root.newChildAllocator("a", 0, Long.MAX_VALUE);
         BufferAllocator b = root.newChildAllocator("b", 0, Long.MAX_VALUE);
         BufferPool pool = new BufferPool()) {
      vector(pool, a, 100).close();
      BigIntVector v = vector(pool, b, 100);
      assertEquals(0, a.getAllocatedMemory(), "a's idle buffers were freed");
      v.close();
      pool.close();
      assertEquals(0, b.getAllocatedMemory());
    }
  }
}

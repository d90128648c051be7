package dev.weft.cli.parquet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link RecyclingHeapAllocator}: arrays reused once released, exact-size buffers, bounded. */
class RecyclingHeapAllocatorTest {
  @Test
  void aReleasedArrayServesTheNextRequestThatFits() {
    RecyclingHeapAllocator a = new RecyclingHeapAllocator();
    ByteBuffer b = a.allocate(1000);
    assertEquals(0, b.position());
    assertEquals(1000, b.limit());
    assertEquals(1000, b.capacity());
    byte[] array = b.array();
    ByteBuffer c = a.allocate(500); // b is in use
    assertNotSame(array, c.array());
    a.release(b);
    ByteBuffer d = a.allocate(800);
    assertSame(array, d.array());
    assertEquals(800, d.remaining());
    assertEquals(800, d.capacity());
    assertEquals(0, d.arrayOffset());
    assertNotSame(array, a.allocate(900).array()); // taken by d
    a.release(d);
    assertNotSame(array, a.allocate(1001).array()); // too small
  }

  @Test
  void theSmallestFittingArrayIsTaken() {
    RecyclingHeapAllocator a = new RecyclingHeapAllocator();
    ByteBuffer big = a.allocate(4000);
    ByteBuffer small = a.allocate(1000);
    a.release(big);
    a.release(small);
    assertSame(small.array(), a.allocate(900).array());
    assertSame(big.array(), a.allocate(900).array());
  }

  @Test
  void keptArraysNeverExceedThePeakInUseNorTheirCount() {
    RecyclingHeapAllocator a = new RecyclingHeapAllocator();
    // row groups of growing size, one buffer each: each needs a new array, the older ones are dropped
    for (int size = 1000; size < 2000; size += 100) {
      ByteBuffer b = a.allocate(size);
      a.release(b);
      assertTrue(a.keptBytes() <= size, "kept " + a.keptBytes() + " after a peak of " + size);
    }
    // a row group of many buffers: at most MAX_KEPT come back
    List<ByteBuffer> many = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      many.add(a.allocate(10_000));
    }
    many.forEach(a::release);
    assertEquals(RecyclingHeapAllocator.MAX_KEPT, a.kept());
    a.release(many.get(0)); // twice: ignored
    assertEquals(RecyclingHeapAllocator.MAX_KEPT, a.kept());
    a.release(ByteBuffer.allocateDirect(10)); // not ours
    a.release(ByteBuffer.wrap(new byte[100], 10, 50).slice()); // not at an array's start
    assertEquals(RecyclingHeapAllocator.MAX_KEPT, a.kept());
  }
}

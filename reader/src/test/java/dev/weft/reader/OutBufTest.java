package dev.weft.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;

/** {@link OutBuf}: a reused dirty buffer and lazily zeroed bytes still read as zero unless written. */
class OutBufTest {
  private static void fill(ArrowBuf b, byte v) {
    for (long i = 0; i < b.capacity(); i++) {
      b.setByte(i, v);
    }
  }

  private static void assertZero(ArrowBuf b, long from, long to) {
    for (long i = from; i < to; i++) {
      assertEquals(0, b.getByte(i), "byte " + i);
    }
  }

  @Test
  void recycledDirtyBufferReadsAsZeroUnlessWritten() {
    try (BufferAllocator alloc = new RootAllocator()) {
      ArrowBuf dirty = alloc.buffer(4096);
      fill(dirty, (byte) 0x5A);
      long address = dirty.memoryAddress();
      try (OutBuf o = new OutBuf(alloc, 1000, dirty)) {
        assertEquals(address, o.buf().memoryAddress(), "a large enough buffer is reused");
        assertZero(o.ensure(100), 0, 100);
        ArrowBuf b = o.ensureForOverwrite(300);
        for (long i = 200; i < 300; i++) {
          b.setByte(i, 7);
        }
        o.written(200, 300); // a gap [100, 200) before the written bytes: zeroed
        assertZero(b, 100, 200);
        assertEquals(7, b.getByte(250));
        assertZero(o.ensure(400), 300, 400);
        ArrowBuf taken = o.take(400);
        assertEquals(400, taken.writerIndex());
        assertZero(taken, 400, taken.capacity()); // nothing dirty beyond the data either
        assertEquals(7, taken.getByte(299));
        taken.close();
      }
      ArrowBuf small = alloc.buffer(64);
      try (OutBuf o = new OutBuf(alloc, 1000, small)) { // too small: released, a new one taken
        assertTrue(o.buf().capacity() >= 1000);
        ArrowBuf b = o.ensureForOverwrite(10);
        for (long i = 0; i < 10; i++) {
          b.setByte(i, 3);
        }
        o.written(0, 10);
        ArrowBuf grown = o.ensure(o.buf().capacity() + 1); // growth keeps the written bytes
        assertEquals(3, grown.getByte(9));
        assertZero(grown, 10, grown.capacity() / 2);
      }
    }
  }
}

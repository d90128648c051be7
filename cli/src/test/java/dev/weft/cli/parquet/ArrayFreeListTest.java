package dev.weft.cli.parquet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ArrayFreeListTest {
  @Test
  void takesTheSmallestArrayThatFits() {
    ArrayFreeList l = new ArrayFreeList(4);
    byte[] small = new byte[10];
    byte[] mid = new byte[20];
    byte[] big = new byte[30];
    l.keep(big, 1000);
    l.keep(small, 1000);
    l.keep(mid, 1000);
    assertSame(mid, l.take(15));
    assertNull(l.take(31));
    assertEquals(2, l.size());
    assertEquals(40, l.bytes());
  }

  @Test
  void aLargerArrayDisplacesSmallerOnesWithinTheBounds() {
    ArrayFreeList l = new ArrayFreeList(2);
    byte[] a = new byte[10];
    byte[] b = new byte[20];
    l.keep(a, 1000);
    l.keep(b, 1000);
    byte[] c = new byte[30];
    l.keep(c, 1000); // full: the smallest (a) makes room
    assertTrue(l.contains(b) && l.contains(c) && !l.contains(a));
    l.keep(new byte[5], 1000); // smaller than every kept array: dropped
    assertEquals(2, l.size());
    l.keep(new byte[100], 60); // past the byte limit even alone after dropping both smaller ones
    assertEquals(0, l.size());
    assertEquals(0, l.bytes());
  }
}

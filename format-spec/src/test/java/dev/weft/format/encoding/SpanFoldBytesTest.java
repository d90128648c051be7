package dev.weft.format.encoding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Conformance of {@link SpanBytes} scheme SPAN_FOLD (format 6.0): every input and check of
 * {@link SpanBytesTest} (through the shared {@link EncodingConformanceTest}), with span deltas
 * zigzag-coded and residuals folded; and the two codes themselves, byte by byte and 8 bytes at a
 * time (every byte under every byte above).
 */
class SpanFoldBytesTest extends SpanBytesTest {
  @Override
  boolean fold() {
    return true;
  }

  /** {@link SpanBytes}' worked example: deltas 1 2 0 0 coded 02 04 00 00; 7 over 0 stored as 07, 9 over 7 as 04. */
  @Override
  byte[] workedExampleStream() {
    return new byte[] {19, 2, 2, 4, 0, 0, 7, 4};
  }

  @Test
  void zigzagCodesSmallDeltasOfEitherSignAsSmallBytes() {
    assertEquals(0, SpanBytes.zigzag(0));
    assertEquals(1, SpanBytes.zigzag(-1));
    assertEquals(2, SpanBytes.zigzag(1));
    assertEquals(3, SpanBytes.zigzag(-2));
    assertEquals((byte) 0xFE, SpanBytes.zigzag(127));
    assertEquals((byte) 0xFF, SpanBytes.zigzag(-128));
    assertEquals(1, SpanBytes.zigzag(255)); // deltas are mod 256: 255 is -1
  }

  @Test
  void foldIsABijectionUnderEveryByteAboveAndTheLaneInverseUndoesIt() {
    for (int above = 0; above < 256; above++) {
      boolean[] seen = new boolean[256];
      for (int x = 0; x < 256; x++) {
        int z = SpanBytes.folded(x, above) & 0xFF;
        assertTrue(!seen[z], "two bytes fold to " + z + " under " + above);
        seen[z] = true;
        assertEquals(x, SpanBytes.unfold(z, above), "unfold of " + x + " under " + above);
        int r = x - above;
        if (Math.abs(r) <= Math.min(above, 255 - above)) {
          assertEquals(SpanBytes.zigzag(r) & 0xFF, z, "zigzag near the byte above");
        }
        // 8 lanes of different (x, above) pairs at once
        long zs = 0;
        long as = 0;
        long xs = 0;
        for (int b = 0; b < 8; b++) {
          int xb = (x + 37 * b) & 0xFF;
          int ab = (above + 101 * b) & 0xFF;
          xs |= (long) xb << (8 * b);
          as |= (long) ab << (8 * b);
          zs |= (long) (SpanBytes.folded(xb, ab) & 0xFF) << (8 * b);
        }
        assertEquals(xs, SpanBytes.unfold(zs, as), "lane of " + x + " under " + above);
      }
    }
    assertEquals(7, SpanBytes.folded(7, 0)); // over a zero: itself
    assertEquals(255 - 3, SpanBytes.folded(3, 255) & 0xFF); // far below a bright byte: mirrored
    assertEquals(1, SpanBytes.folded(99, 100));
    assertEquals(2, SpanBytes.folded(101, 100));
  }
}

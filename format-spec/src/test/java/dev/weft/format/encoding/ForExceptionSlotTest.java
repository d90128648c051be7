package dev.weft.format.encoding;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.format.MetaOutput;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/**
 * FOR exceptions whose packed slot is not 0 (the writer leaves 0 there, the format allows any
 * value): single values and ranges still read the exception.
 */
class ForExceptionSlotTest {
  private static IntDecoder parse(byte[] bytes, int n) {
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    return IntStreams.parse(new EncodedInput(b, 0, b.limit()), n, 1);
  }

  /** 4 values of 4 bits, base 10: packed 1, 3, 0, 2; exception at position `pos` = 1000. */
  private static byte[] stream(int pos) {
    MetaOutput out = new MetaOutput(32).u8(ForBitPacked.ID).u8(4);
    Varints.writeZigZag(out, 10);
    Varints.write(out, 1);
    Varints.write(out, 1);
    out.u8(0x31).u8(0x20); // nibbles LSB first: 1, 3, 0, 2
    out.u8(PlainInts.ID).u8(8).u64(pos);
    out.u8(PlainInts.ID).u8(8).u64(1000);
    return out.toByteArray();
  }

  @Test
  void exceptionOverANonZeroSlot() {
    IntDecoder d = parse(stream(1), 4); // slot 1 holds 3
    long[] expected = {11, 1000, 10, 12};
    long[] range = new long[4];
    d.decode(0, 4, range, 0);
    for (int i = 0; i < 4; i++) {
      assertEquals(expected[i], d.get(i), "value " + i);
      assertEquals(expected[i], range[i], "value " + i + " of a range");
    }
  }

  @Test
  void exceptionOverAZeroSlot() {
    IntDecoder d = parse(stream(2), 4); // slot 2 holds 0, as the writer leaves it
    long[] expected = {11, 13, 1000, 12};
    for (int i = 0; i < 4; i++) {
      assertEquals(expected[i], d.get(i), "value " + i);
    }
  }
}

package dev.weft.format.encoding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.weft.format.MetaOutput;
import org.junit.jupiter.api.Test;

/**
 * Hand-made malformed streams, one per kind of damage the issue names: a wrong bit width, a
 * run length past the end, a dictionary code out of range, an exception position out of range,
 * too deep a cascade. Each must fail with {@link MalformedEncodingException}, never decode.
 */
class MalformedStreamsTest {
  private static IntDecoder parse(MetaOutput out, int n) {
    return IntStreams.parse(EncodingConformanceTest.input(out.toByteArray()), n, 1);
  }

  private static MetaOutput constant(MetaOutput out, long v) {
    ConstantInts.encode(v, out);
    return out;
  }

  @Test
  void bitWidthAbove64() {
    MetaOutput out = new MetaOutput(16).u8(ForBitPacked.ID).u8(65);
    Varints.writeZigZag(out, 0);
    Varints.write(out, 1);
    Varints.write(out, 0);
    assertThrows(MalformedEncodingException.class, () -> parse(out, 4));
  }

  @Test
  void bitWidthWiderThanThePackedBytes() {
    MetaOutput out = new MetaOutput(16).u8(ForBitPacked.ID).u8(9); // 4 values of 9 bits need 5 bytes
    Varints.writeZigZag(out, 0);
    Varints.write(out, 1);
    Varints.write(out, 0);
    out.u32(0); // only 4 bytes
    assertThrows(MalformedEncodingException.class, () -> parse(out, 4));
  }

  @Test
  void runLengthPastTheEnd() {
    MetaOutput out = new MetaOutput(16).u8(RunLengthInts.ID);
    Varints.write(out, 2);
    constant(out, 7); // values
    constant(out, 3); // lengths 3 + 3 > 4
    MalformedEncodingException e = assertThrows(MalformedEncodingException.class, () -> parse(out, 4));
    assertEquals(true, e.getMessage().contains("past"), e.getMessage());
  }

  @Test
  void runLengthsShortOfTheEnd() {
    MetaOutput out = new MetaOutput(16).u8(RunLengthInts.ID);
    Varints.write(out, 1);
    constant(out, 7);
    constant(out, 3); // covers 3 of 4
    assertThrows(MalformedEncodingException.class, () -> parse(out, 4));
  }

  @Test
  void dictionaryCodeOutOfRange() {
    MetaOutput out = new MetaOutput(16).u8(DictionaryInts.ID);
    Varints.write(out, 2);
    PlainInts.encode(new long[] {10, 20}, 2, 1, out); // entries
    PlainInts.encode(new long[] {0, 1, 2, 1}, 4, 1, out); // code 2 is out of range
    IntDecoder d = parse(out, 4);
    assertEquals(20, d.get(1));
    assertThrows(MalformedEncodingException.class, () -> d.get(2));
    assertThrows(MalformedEncodingException.class, d::decodeAll);
  }

  @Test
  void exceptionPositionOutOfRange() {
    MetaOutput out = new MetaOutput(16).u8(ForBitPacked.ID).u8(1);
    Varints.writeZigZag(out, 0);
    Varints.write(out, 1);
    Varints.write(out, 1); // one exception
    out.u8(0); // 4 packed bits
    constant(out, 4); // position 4 of 4 values
    constant(out, 99);
    assertThrows(MalformedEncodingException.class, () -> parse(out, 4));
  }

  @Test
  void exceptionPositionsNotAscending() {
    MetaOutput out = new MetaOutput(16).u8(ForBitPacked.ID).u8(1);
    Varints.writeZigZag(out, 0);
    Varints.write(out, 1);
    Varints.write(out, 2);
    out.u8(0);
    constant(out, 1); // positions 1, 1
    constant(out, 99);
    assertThrows(MalformedEncodingException.class, () -> parse(out, 4));
  }

  @Test
  void cascadeDeeperThanThreeLevels() {
    // RLE(values: RLE(values: RLE ...)): the third RLE sits at level 3 and may not have children
    MetaOutput out = new MetaOutput(32).u8(RunLengthInts.ID);
    Varints.write(out, 1);
    out.u8(RunLengthInts.ID);
    Varints.write(out, 1);
    out.u8(RunLengthInts.ID);
    Varints.write(out, 1);
    constant(out, 5);
    constant(out, 1);
    constant(out, 1);
    constant(out, 4);
    MalformedEncodingException e = assertThrows(MalformedEncodingException.class, () -> parse(out, 4));
    assertEquals(true, e.getMessage().contains("level"), e.getMessage());
  }

  @Test
  void unknownSchemeAndOverlongVarint() {
    assertThrows(MalformedEncodingException.class, () -> parse(new MetaOutput(4).u8(99), 1));
    MetaOutput out = new MetaOutput(16).u8(ConstantInts.ID);
    for (int i = 0; i < 11; i++) {
      out.u8(0xFF);
    }
    assertThrows(MalformedEncodingException.class, () -> parse(out, 1));
  }

  @Test
  void stringLengthsPastTheData() {
    MetaOutput out = new MetaOutput(16).u8(StringStreams.PLAIN);
    constant(out, 5); // 2 strings of 5 bytes, only 6 follow
    out.bytes(new byte[6]);
    assertThrows(MalformedEncodingException.class,
        () -> StringStreams.decode(EncodingConformanceTest.input(out.toByteArray()), 2, 1));
  }
}

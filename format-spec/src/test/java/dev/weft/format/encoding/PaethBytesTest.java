package dev.weft.format.encoding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.weft.format.MetaOutput;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Conformance of {@link PaethBytes} (BytesStream PAETH): images with smooth gradients, random
 * bytes, all zero, all 0xFF, widths that are squares and widths that are not, one value.
 */
class PaethBytesTest extends EncodingConformanceTest<PaethBytesTest.Values> {
  record Values(byte[] bytes, int n, int w) {}

  @Override
  List<Input<Values>> inputs() {
    Random rnd = new Random(SEED);
    List<Input<Values>> all = new ArrayList<>();
    int n = 40;
    byte[] image = new byte[n * 784];
    for (int i = 0; i < n; i++) {
      for (int y = 0; y < 28; y++) {
        for (int x = 0; x < 28; x++) {
          image[i * 784 + y * 28 + x] = (byte) (x * y % 256 + rnd.nextInt(3));
        }
      }
    }
    all.add(new Input<>("28x28 images", new Values(image, n, 784)));
    byte[] random = new byte[n * 100];
    rnd.nextBytes(random);
    all.add(new Input<>("random bytes, width 100", new Values(random, n, 100)));
    all.add(new Input<>("all zero, width 16", new Values(new byte[n * 16], n, 16)));
    byte[] ff = new byte[n * 3];
    Arrays.fill(ff, (byte) 0xFF);
    all.add(new Input<>("all 0xFF, width 3", new Values(ff, n, 3)));
    all.add(new Input<>("one value, width 9", new Values(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 9)));
    return all;
  }

  @Override
  boolean encode(Values v, MetaOutput out) {
    PaethBytes.encode(v.bytes(), 0, v.n(), v.w(), out);
    return true;
  }

  @Override
  void checkDecoded(Values like, EncodedInput in, Random rnd) {
    assertEquals(PaethBytes.PAETH, in.buffer().get(in.position()), "scheme");
    byte[] got = new byte[like.n() * like.w() + 3];
    BytesStreams.decode(in, like.n(), like.w(), got, 3);
    assertArrayEquals(like.bytes(), Arrays.copyOfRange(got, 3, got.length));
  }

  @Override
  void readAll(Values like, EncodedInput in) {
    BytesStreams.decode(in, like.n(), like.w(), new byte[like.n() * like.w()], 0);
  }

  @Test
  void workedExample() {
    MetaOutput out = new MetaOutput(8);
    PaethBytes.encode(new byte[] {10, 12, 11, 13}, 0, 1, 4, out);
    assertArrayEquals(new byte[] {16, 2, 10, 2, 1, 1}, out.toByteArray());
  }

  @Test
  void strideOutOfRangeAndUnknownScheme() {
    MetaOutput bad = new MetaOutput(8).u8(PaethBytes.PAETH);
    Varints.write(bad, 5);
    bad.bytes(new byte[4]);
    assertThrows(MalformedEncodingException.class, () -> readAll(new Values(null, 1, 4), input(bad.toByteArray())));
    MetaOutput zero = new MetaOutput(8).u8(PaethBytes.PAETH).u8(0).bytes(new byte[4]);
    assertThrows(MalformedEncodingException.class, () -> readAll(new Values(null, 1, 4), input(zero.toByteArray())));
    MetaOutput unknown = new MetaOutput(8).u8(7).bytes(new byte[4]);
    assertThrows(MalformedEncodingException.class, () -> readAll(new Values(null, 1, 4), input(unknown.toByteArray())));
  }
}

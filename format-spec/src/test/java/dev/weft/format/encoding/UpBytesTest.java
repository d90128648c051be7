package dev.weft.format.encoding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.format.MetaOutput;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.arrow.memory.util.MemoryUtil;
import org.junit.jupiter.api.Test;

/**
 * Conformance of {@link UpBytes} (BytesStream UP, format 4.0): images, random bytes, all equal,
 * all 0x00 and all 0xFF, one value, widths that are not squares (stride w: the value is stored as
 * it is), stride 1 (a running sum), strides below and above 8 and of 8 + 4 + 1 bytes (the native
 * decoder's 8-, 4- and 1-byte steps per row), a last row shorter than the stride. Every
 * input is decoded three ways that must agree: copied out ({@link BytesStreams#decode}), in place
 * ({@link BytesStreams#decodeInPlace}) and into native memory ({@link BytesStreams#decodeInto}).
 */
class UpBytesTest extends EncodingConformanceTest<UpBytesTest.Values> {
  /** n values of w bytes, encoded with {@code stride} (0: the writer's, {@link PaethBytes#stride}). */
  record Values(byte[] bytes, int n, int w, int stride) {}

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
    all.add(new Input<>("28x28 images", new Values(image, n, 784, 0)));
    byte[] random = new byte[n * 100];
    rnd.nextBytes(random);
    all.add(new Input<>("random bytes, width 100 (stride 10)", new Values(random, n, 100, 0)));
    byte[] random2 = new byte[n * 30];
    rnd.nextBytes(random2);
    all.add(new Input<>("random bytes, width 30 (not a square: stride 30)", new Values(random2, n, 30, 0)));
    all.add(new Input<>("random bytes, width 30, stride 1", new Values(random2, n, 30, 1)));
    all.add(new Input<>("random bytes, width 30, stride 7", new Values(random2, n, 30, 7)));
    all.add(new Input<>("random bytes, width 30, stride 9", new Values(random2, n, 30, 9)));
    // rows of 8 + 4 + 1 bytes and a last, partial row of 4 (the native decoder's long, int, byte steps)
    all.add(new Input<>("random bytes, width 30, stride 13", new Values(random2, n, 30, 13)));
    all.add(new Input<>("random bytes, width 30, stride 12", new Values(random2, n, 30, 12)));
    byte[] equal = new byte[n * 64];
    Arrays.fill(equal, (byte) 0x5A);
    all.add(new Input<>("all equal, width 64", new Values(equal, n, 64, 0)));
    all.add(new Input<>("all zero, width 16", new Values(new byte[n * 16], n, 16, 0)));
    byte[] ff = new byte[n * 256];
    Arrays.fill(ff, (byte) 0xFF);
    all.add(new Input<>("all 0xFF, width 256", new Values(ff, n, 256, 0)));
    byte[] alternating = new byte[n * 144];
    for (int i = 0; i < alternating.length; i++) {
      alternating[i] = (byte) ((i / 12) % 2 == 0 ? 0 : 255); // rows of 0 and of 255: the largest steps
    }
    all.add(new Input<>("rows of 0x00 and 0xFF, width 144", new Values(alternating, n, 144, 0)));
    all.add(new Input<>("one value, width 9", new Values(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 9, 0)));
    all.add(new Input<>("one value, width 3", new Values(new byte[] {(byte) 0xFF, 0, 1}, 1, 3, 0)));
    return all;
  }

  private static int stride(Values v) {
    return v.stride() > 0 ? v.stride() : PaethBytes.stride(v.w());
  }

  @Override
  boolean encode(Values v, MetaOutput out) {
    UpBytes.encode(v.bytes(), 0, v.n(), v.w(), stride(v), out);
    return true;
  }

  @Override
  void checkDecoded(Values like, EncodedInput in, Random rnd) {
    assertEquals(UpBytes.UP, in.buffer().get(in.position()), "scheme");
    int start = in.position();
    byte[] got = new byte[like.n() * like.w() + 3];
    BytesStreams.decode(in, like.n(), like.w(), got, 3);
    assertArrayEquals(like.bytes(), Arrays.copyOfRange(got, 3, got.length), "copied out");
    int end = in.position();

    // in place, in a copy of the stream
    byte[] stream = new byte[end - start];
    in.buffer().get(start, stream);
    EncodedInput own = input(stream);
    int at = BytesStreams.decodeInPlace(own, like.n(), like.w());
    assertArrayEquals(like.bytes(), Arrays.copyOfRange(stream, at, at + like.n() * like.w()), "in place");

    // into native memory, from a direct buffer
    ByteBuffer direct = ByteBuffer.allocateDirect(end - start).order(ByteOrder.LITTLE_ENDIAN);
    byte[] fresh = new byte[end - start];
    in.buffer().get(start, fresh);
    direct.put(0, fresh);
    ByteBuffer out = ByteBuffer.allocateDirect(like.n() * like.w() + 1);
    out.put(like.n() * like.w(), (byte) 0x77); // a guard byte after the values
    assertTrue(BytesStreams.decodeInto(new EncodedInput(direct, 0, direct.capacity()), like.n(), like.w(),
        MemoryUtil.getByteBufferAddress(out)));
    byte[] native_ = new byte[like.n() * like.w()];
    out.get(0, native_);
    assertArrayEquals(like.bytes(), native_, "into native memory");
    assertEquals((byte) 0x77, out.get(like.n() * like.w()), "wrote past the values");
  }

  @Override
  void readAll(Values like, EncodedInput in) {
    BytesStreams.decode(in, like.n(), like.w(), new byte[like.n() * like.w()], 0);
  }

  @Test
  void workedExample() {
    MetaOutput out = new MetaOutput(8);
    BytesStreams.encode(new byte[] {10, 12, 11, 13}, 0, 1, 4, BytesStreams.UP, out);
    assertArrayEquals(new byte[] {17, 2, 10, 12, 1, 1}, out.toByteArray());
  }

  @Test
  void residualsWrapAround() {
    // 255 above 0 and 0 above 255: residuals 1 and 255, sums mod 256, no carry into the next byte
    byte[] v = new byte[16];
    for (int j = 0; j < 8; j++) {
      v[j] = (byte) (j % 2 == 0 ? 255 : 0);
      v[8 + j] = (byte) (j % 2 == 0 ? 0 : 255);
    }
    MetaOutput out = new MetaOutput(8);
    UpBytes.encode(v, 0, 1, 16, 8, out);
    byte[] got = new byte[16];
    BytesStreams.decode(input(out.toByteArray()), 1, 16, got, 0);
    assertArrayEquals(v, got);
  }

  @Test
  void strideOutOfRangeUnknownSchemeAndTruncation() {
    MetaOutput bad = new MetaOutput(8).u8(UpBytes.UP);
    Varints.write(bad, 5);
    bad.bytes(new byte[4]);
    assertThrows(MalformedEncodingException.class, () -> readAll(new Values(null, 1, 4, 0), input(bad.toByteArray())));
    MetaOutput zero = new MetaOutput(8).u8(UpBytes.UP).u8(0).bytes(new byte[4]);
    assertThrows(MalformedEncodingException.class, () -> readAll(new Values(null, 1, 4, 0), input(zero.toByteArray())));
    MetaOutput unknown = new MetaOutput(8).u8(20).u8(2).bytes(new byte[4]);
    assertThrows(MalformedEncodingException.class, () -> readAll(new Values(null, 1, 4, 0), input(unknown.toByteArray())));
    MetaOutput shortOne = new MetaOutput(8).u8(UpBytes.UP).u8(2).bytes(new byte[3]);
    assertThrows(MalformedEncodingException.class, () -> readAll(new Values(null, 1, 4, 0),
        input(shortOne.toByteArray())));
    ByteBuffer d = ByteBuffer.allocateDirect(6).order(ByteOrder.LITTLE_ENDIAN);
    d.put(0, new byte[] {17, 5, 0, 0, 0, 0});
    assertThrows(MalformedEncodingException.class, () -> BytesStreams.decodeInto(new EncodedInput(d, 0, 6), 1, 4,
        MemoryUtil.getByteBufferAddress(ByteBuffer.allocateDirect(4))));
  }

  @Test
  void decodeIntoLeavesOtherSchemesAlone() {
    MetaOutput out = new MetaOutput(8);
    BytesStreams.encode(new byte[] {10, 12, 11, 13}, 0, 1, 4, BytesStreams.PAETH, out);
    byte[] b = out.toByteArray();
    ByteBuffer d = ByteBuffer.allocateDirect(b.length).order(ByteOrder.LITTLE_ENDIAN);
    d.put(0, b);
    ByteBuffer dst = ByteBuffer.allocateDirect(4);
    assertFalse(BytesStreams.decodeInto(new EncodedInput(d, 0, b.length), 1, 4, MemoryUtil.getByteBufferAddress(dst)));
    assertEquals(0, dst.getInt(0));
  }

  @Test
  void names() {
    assertEquals("UP", BytesStreams.name(BytesStreams.UP));
    assertEquals("PAETH", BytesStreams.name(BytesStreams.PAETH));
    assertTrue(BytesStreams.isBytesScheme(17) && BytesStreams.isBytesScheme(16) && !BytesStreams.isBytesScheme(0));
  }
}

package dev.weft.format.encoding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.weft.format.MetaOutput;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The conformance test every encoding's test extends (habit 9: one abstract base). For each
 * adversarial input of the subclass ({@link #inputs()}): the encoding must round-trip through its
 * decoder, whole and by random access of single values and ranges; and any corruption of the
 * encoded bytes (bit flips anywhere, truncation at any point) must either decode to something
 * or fail with {@link MalformedEncodingException} — never another exception, never a hang.
 *
 * @param <D> the kind of data the encoding holds (integers, bits, strings)
 */
abstract class EncodingConformanceTest<D> {
  static final long SEED = Long.getLong("weft.test.seed", 0xC0DEC5L);
  private static final int FLIP_TRIALS = 40;

  /** A named input. */
  record Input<D>(String name, D data) {}

  /** The adversarial inputs of this encoding. */
  abstract List<Input<D>> inputs();

  /**
   * Encodes {@code data} with this test's encoding into {@code out}.
   *
   * @return false if the encoding does not apply to this input (for example CONSTANT to
   *     distinct values); the input is then skipped
   */
  abstract boolean encode(D data, MetaOutput out);

  /** Parses {@code in} as this encoding's stream holding {@code like}'s shape and checks every value. */
  abstract void checkDecoded(D like, EncodedInput in, Random rnd);

  /** Parses and reads everything of a possibly corrupt stream shaped like {@code like}, checking nothing. */
  abstract void readAll(D like, EncodedInput in);

  static EncodedInput input(byte[] bytes) {
    return new EncodedInput(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN), 0, bytes.length);
  }

  @TestFactory
  Stream<DynamicTest> roundTrips() {
    return inputs().stream().map(in -> DynamicTest.dynamicTest(in.name(), () -> {
      MetaOutput out = new MetaOutput(64);
      if (!encode(in.data(), out)) {
        return;
      }
      byte[] bytes = out.toByteArray();
      EncodedInput ei = input(bytes);
      checkDecoded(in.data(), ei, new Random(SEED));
      assertEquals(bytes.length, ei.position(), in.name() + ": the stream's extent");
    }));
  }

  @TestFactory
  Stream<DynamicTest> corruptStreamsFailCleanly() {
    return inputs().stream().map(in -> DynamicTest.dynamicTest(in.name(), () -> {
      MetaOutput out = new MetaOutput(64);
      if (!encode(in.data(), out)) {
        return;
      }
      byte[] bytes = out.toByteArray();
      Random rnd = new Random(SEED ^ in.name().hashCode());
      List<String> failures = new ArrayList<>();
      for (int t = 0; t < FLIP_TRIALS + 8; t++) {
        byte[] copy;
        String what;
        if (t < FLIP_TRIALS) {
          copy = bytes.clone();
          int flips = 1 + rnd.nextInt(3);
          StringBuilder sb = new StringBuilder("flipped bits");
          for (int k = 0; k < flips && copy.length > 0; k++) {
            int at = k == 0 && t < 8 ? Math.min(copy.length - 1, t) : rnd.nextInt(copy.length); // headers first
            int bit = rnd.nextInt(8);
            copy[at] ^= (byte) (1 << bit);
            sb.append(' ').append(at).append('.').append(bit);
          }
          what = sb.toString();
        } else {
          int cut = bytes.length == 0 ? 0 : rnd.nextInt(bytes.length);
          copy = Arrays.copyOf(bytes, cut);
          what = "truncated to " + cut + " of " + bytes.length + " bytes";
        }
        try {
          readAll(in.data(), input(copy));
        } catch (MalformedEncodingException expected) {
          // the clean failure
        } catch (RuntimeException | OutOfMemoryError e) {
          failures.add(what + ": " + e);
        }
      }
      if (!failures.isEmpty()) {
        fail(in.name() + ": " + failures.size() + " corruptions failed uncleanly (seed " + SEED + "):\n"
            + String.join("\n", failures.subList(0, Math.min(5, failures.size()))));
      }
    }));
  }
}

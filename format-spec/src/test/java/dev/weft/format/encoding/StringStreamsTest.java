package dev.weft.format.encoding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.format.MetaOutput;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Conformance of {@link StringStreams}, PLAIN and DICTIONARY forced in turn: empty strings, all
 * equal, all distinct, few distinct, multi-byte UTF-8, strings of several MiB, one value.
 */
class StringStreamsTest extends EncodingConformanceTest<StringStreamsTest.Strings> {
  record Strings(List<byte[]> values, int scheme) {}

  private static List<byte[]> of(String... s) {
    List<byte[]> out = new ArrayList<>();
    for (String x : s) {
      out.add(x.getBytes(StandardCharsets.UTF_8));
    }
    return out;
  }

  @Override
  List<Input<Strings>> inputs() {
    Random rnd = new Random(SEED);
    List<Input<Strings>> all = new ArrayList<>();
    for (int scheme : new int[] {StringStreams.PLAIN, StringStreams.DICTIONARY}) {
      String s = StringStreams.name(scheme) + ": ";
      List<byte[]> empty = new ArrayList<>();
      List<byte[]> equal = new ArrayList<>();
      List<byte[]> distinct = new ArrayList<>();
      List<byte[]> few = new ArrayList<>();
      for (int i = 0; i < 2000; i++) {
        empty.add(new byte[0]);
        equal.add("ATL".getBytes(StandardCharsets.UTF_8));
        distinct.add(("value-" + i + "-" + rnd.nextInt()).getBytes(StandardCharsets.UTF_8));
        few.add(new String[] {"", "ORD", "J\u00f6nk\u00f6ping", "\ud83d\ude00", "x"}[rnd.nextInt(5)]
            .getBytes(StandardCharsets.UTF_8));
      }
      all.add(new Input<>(new String(s) + "empty strings", new Strings(empty, scheme)));
      all.add(new Input<>(s + "all equal", new Strings(equal, scheme)));
      all.add(new Input<>(s + "all distinct", new Strings(distinct, scheme)));
      all.add(new Input<>(s + "few distinct, multi-byte UTF-8", new Strings(few, scheme)));
      all.add(new Input<>(s + "one value", new Strings(of("only"), scheme)));
      byte[] huge = new byte[3 << 20];
      rnd.nextBytes(huge);
      all.add(new Input<>(s + "strings of several MiB", new Strings(List.of(huge, new byte[0], huge, "a".getBytes(StandardCharsets.UTF_8)), scheme)));
    }
    return all;
  }

  @Override
  boolean encode(Strings data, MetaOutput out) {
    int n = data.values().size();
    long[] lengths = new long[n];
    ByteArrayOutputStream concat = new ByteArrayOutputStream();
    for (int i = 0; i < n; i++) {
      lengths[i] = data.values().get(i).length;
      concat.writeBytes(data.values().get(i));
    }
    MetaOutput o = data.scheme() == StringStreams.PLAIN
        ? StringStreams.plain(concat.toByteArray(), lengths, n, 1, IntCases.HINTS)
        : StringStreams.dictionary(concat.toByteArray(), lengths, n, 1, IntCases.HINTS);
    if (o == null) {
      return false;
    }
    out.bytes(o.toByteArray());
    return true;
  }

  @Override
  void checkDecoded(Strings like, EncodedInput in, Random rnd) {
    assertEquals(like.scheme(), in.buffer().get(in.position()), "scheme");
    StringStreams.Strings got = StringStreams.decode(in, like.values().size(), 1);
    for (int i = 0; i < like.values().size(); i++) {
      byte[] v = Arrays.copyOfRange(got.data(), got.offsets()[i], got.offsets()[i + 1]);
      assertArrayEquals(like.values().get(i), v, "string " + i);
    }
  }

  @Override
  void readAll(Strings like, EncodedInput in) {
    StringStreams.decode(in, like.values().size(), 1);
  }
}

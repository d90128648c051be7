package dev.weft.format.encoding;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.format.MetaOutput;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The bytes FSST writes, pinned: a SHA-256 digest over {@link FsstStrings#encode} of a seeded
 * corpus (text of a small vocabulary, URLs, airport-like codes, multi-byte UTF-8, random bytes,
 * empty strings, blocks above the training sample's 16 KiB), with and without {@code force}, plus
 * the trained tables alone. The matcher's index by first byte (longest symbol first, then by id)
 * decides the greedy parse, so building it differently must not change a byte: the digest was
 * taken from the list-and-sort matcher of main at 521127e (format 6.0).
 */
class FsstBytesDigestTest {
  private static final String DIGEST = "e28593e023681d3a06328ee8ee8850f8cb87cc83545876d57e4b5941ceb360ca";

  @Test
  void encodingsAreUnchanged() throws Exception {
    assertEquals(DIGEST, digest());
  }

  static String digest() throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    for (List<byte[]> block : corpus()) {
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      for (byte[] v : block) {
        all.write(v);
      }
      byte[] data = all.toByteArray();
      long[] lengths = new long[block.size()];
      for (int i = 0; i < lengths.length; i++) {
        lengths[i] = block.get(i).length;
      }
      for (boolean force : new boolean[] {false, true}) {
        MetaOutput out = new MetaOutput(64);
        boolean wrote = FsstStrings.encode(data, lengths, block.size(), 0,
            new IntStreams.Hints(8, false, false, false), out, force);
        sha.update((byte) (wrote ? 1 : 0));
        byte[] bytes = new byte[out.size()];
        out.asBuffer().get(bytes);
        sha.update(bytes);
      }
      FsstStrings.Table t = FsstStrings.train(data, lengths, block.size());
      if (t != null) {
        for (int k = 0; k < t.size(); k++) {
          sha.update((byte) t.lengths()[k]);
          sha.update(Long.toString(t.symbols()[k]).getBytes(StandardCharsets.US_ASCII));
        }
      }
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  static List<List<byte[]>> corpus() {
    Random rnd = new Random(20261126);
    List<List<byte[]>> blocks = new ArrayList<>();
    for (int n : new int[] {1, 7, 300, 2000, 9000}) {
      blocks.add(FsstStringsTest.text(rnd, n, 12));
      List<byte[]> urls = new ArrayList<>();
      List<byte[]> codes = new ArrayList<>();
      List<byte[]> random = new ArrayList<>();
      List<byte[]> mixed = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        urls.add(("https://www.example.org/items/" + rnd.nextInt(100_000) + "?ref=weft&page=" + rnd.nextInt(50))
            .getBytes(StandardCharsets.UTF_8));
        codes.add(new byte[] {(byte) ('A' + rnd.nextInt(26)), (byte) ('A' + rnd.nextInt(26)),
            (byte) ('A' + rnd.nextInt(26))});
        byte[] r = new byte[rnd.nextInt(20)];
        rnd.nextBytes(r);
        random.add(r);
        mixed.add(i % 3 == 0 ? new byte[0] : i % 3 == 1 ? ("caf\u00e9 \ud83d\ude00 " + i).getBytes(StandardCharsets.UTF_8) : r);
      }
      blocks.add(urls);
      blocks.add(codes);
      blocks.add(random);
      blocks.add(mixed);
    }
    return blocks;
  }
}

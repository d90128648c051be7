package dev.weft.format.encoding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.weft.format.MetaOutput;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A block's strings with value ids ({@link StringStreams.ValueIds}) are encoded exactly as
 * without: the DICTIONARY stream (hashing each id's string once), and the whole selection.
 * Covered: ids missing for some rows (-1), two ids naming the same string (a source's
 * dictionary need not be unique), a scope reused over blocks and then replaced, and blocks with
 * more distinct strings than DICTIONARY takes (null both ways).
 */
class StringStreamsValueIdsTest {
  @Test
  void idsChangeNoStream() {
    Random r = new Random(0x5EED);
    IntStreams.Hints h = new IntStreams.Hints(8, false, false, false);
    StringStreams.ValueIds memo = new StringStreams.ValueIds();
    Object scope = new Object();
    for (int block = 0; block < 60; block++) {
      if (block % 20 == 0) {
        scope = new Object();
      }
      int vocab = block % 7 == 6 ? 5000 : 1 + r.nextInt(400);
      String[] words = new String[vocab];
      for (int i = 0; i < vocab; i++) {
        // ids 2k and 2k + 1 name the same string now and then
        int k = i % 3 == 1 ? i - 1 : i;
        words[i] = k % 5 == 0 ? "long-string-number-" + k + "-of-the-vocabulary" : "w" + k;
      }
      int n = 1 + r.nextInt(5000);
      int[] ids = new int[n];
      byte[][] values = new byte[n][];
      long[] lengths = new long[n];
      int total = 0;
      for (int i = 0; i < n; i++) {
        int id = r.nextDouble() < 0.5 ? r.nextInt(Math.min(vocab, 8)) : r.nextInt(vocab);
        values[i] = words[id].getBytes(StandardCharsets.UTF_8);
        ids[i] = r.nextDouble() < 0.05 ? -1 : id;
        lengths[i] = values[i].length;
        total += values[i].length;
      }
      byte[] data = new byte[total];
      int[] offsets = new int[n + 1];
      for (int i = 0; i < n; i++) {
        System.arraycopy(values[i], 0, data, offsets[i], values[i].length);
        offsets[i + 1] = offsets[i] + values[i].length;
      }
      memo.use(scope, 5000, ids, n);
      MetaOutput plain = StringStreams.dictionary(data, lengths, n, 1, h);
      MetaOutput byId = StringStreams.dictionary(data, lengths, n, 1, h, memo);
      String what = "block " + block + " of " + n + " strings from " + vocab;
      if (plain == null) {
        assertNull(byId, what);
      } else {
        assertArrayEquals(plain.toByteArray(), byId.toByteArray(), what);
      }
      // the whole selection, and the remembered DICTIONARY, through the thread's ids
      ByteBuffer b = ByteBuffer.allocate(4 * (n + 1) + total).order(ByteOrder.LITTLE_ENDIAN);
      for (int o : offsets) {
        b.putInt(o);
      }
      b.put(data);
      for (int preferred : new int[] {-1, StringStreams.DICTIONARY}) {
        MetaOutput without = new MetaOutput(64);
        StringStreams.encode(b, 0, 4 * (n + 1), n, 1, h, without, preferred);
        MetaOutput with = new MetaOutput(64);
        memo.use(scope, 5000, ids, n);
        StringStreams.useValueIds(memo);
        try {
          StringStreams.encode(b, 0, 4 * (n + 1), n, 1, h, with, preferred);
        } finally {
          StringStreams.useValueIds(null);
        }
        assertArrayEquals(without.toByteArray(), with.toByteArray(), what + ", preferred " + preferred);
      }
    }
  }
}

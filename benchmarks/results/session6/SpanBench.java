// Decode A/B of the BytesStream schemes on Fashion-MNIST (60,000 28x28 images, blocks of 83 as the writer makes them):
// each scheme id given is encoded with this build's BytesStreams.encode, then decoded 40 times into native memory through
// BytesStreams.decodeInto (the scan path), interleaved; medians of the last 30. Needs /tmp/span-h/img.raw (the raw 47 MB of
// image bytes, from benchmarks/python: ../../.venv/bin/python -c "import pyarrow.parquet as pq; open('/tmp/span-h/img.raw', 'wb')
// .write(pq.read_table('../../../shared/testdata/real/fashion-mnist-train.parquet').column('image').combine_chunks().buffers()[1]
// .to_pybytes())"). Run with each build's jars (scheme 19 only exists from format 6.0):
//   javac -cp "$JARS" -d /tmp/sb SpanBench.java && java --add-opens=java.base/java.nio=ALL-UNNAMED -cp "/tmp/sb:$JARS" SpanBench 18 19 17
import dev.weft.format.MetaOutput;
import dev.weft.format.encoding.BytesStreams;
import dev.weft.format.encoding.EncodedInput;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.util.MemoryUtil;

/** Decode time of fashion-mnist (blocks of 83 images) into native memory, per scheme: args = scheme ids. */
public class SpanBench {
  public static void main(String[] args) throws Exception {
    byte[] img = Files.readAllBytes(Path.of("/tmp/span-h/img.raw"));
    int w = 784, per = 83, n = img.length / w;
    int pad = 272;
    ByteBuffer dst = ByteBuffer.allocateDirect(n * w);
    long dstAddr = MemoryUtil.getByteBufferAddress(dst);
    int[] schemes = Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
    List<List<ByteBuffer>> blocks = new ArrayList<>();
    for (int s : schemes) {
      List<ByteBuffer> bl = new ArrayList<>();
      long total = 0;
      for (int b = 0; b < n; b += per) {
        int k = Math.min(per, n - b);
        MetaOutput out = new MetaOutput(64);
        BytesStreams.encode(img, b * w, k, w, s, out);
        byte[] e = out.toByteArray();
        total += e.length;
        ByteBuffer buf = ByteBuffer.allocateDirect(e.length + 2 * pad);
        buf.put(pad, e);
        bl.add(buf.slice(pad, e.length).order(ByteOrder.LITTLE_ENDIAN));
      }
      blocks.add(bl);
      System.out.println("scheme " + s + ": " + total + " bytes before the codec");
    }
    long[][] times = new long[schemes.length][40];
    for (int rep = 0; rep < 40; rep++) {
      for (int si = 0; si < schemes.length; si++) {
        long t0 = System.nanoTime();
        int at = 0;
        for (ByteBuffer buf : blocks.get(si)) {
          int k = Math.min(per, n - at);
          BytesStreams.decodeInto(new EncodedInput(buf, 0, buf.limit()), k, w, dstAddr + (long) at * w);
          at += k;
        }
        times[si][rep] = System.nanoTime() - t0;
        if (rep == 0) {
          byte[] got = new byte[n * w];
          dst.get(0, got);
          if (!Arrays.equals(got, img)) throw new AssertionError("decode mismatch scheme " + schemes[si]);
        }
      }
    }
    for (int si = 0; si < schemes.length; si++) {
      long[] t = Arrays.copyOfRange(times[si], 10, 40);
      Arrays.sort(t);
      System.out.printf("scheme %d: median %.1f ms (min %.1f) per %d images%n", schemes[si], t[t.length / 2] / 1e6, t[0] / 1e6, n);
    }
  }
}

// The study behind format 5.0 SPAN: fashion-mnist images (/tmp/mnist-img.raw, the raw 60000 x 784 bytes of the
// image column) cut into blocks, transformed (raw, up, wide, span), compressed with zstd-jni at a level, minimum
// match and optional dictionary (trained with ZdictTrainer or raw content), then size, and per-scan thread CPU of
// decompression + inverse transform into one 47 MB native buffer (median of 9; zstd alone median of 7).
// Spec per argument: transform:blockKiB:level:minMatch:dict(0 | trainedKiB | r<rawKiB>). Run with -cp of the
// reader module classpath (zstd-jni, arrow-memory): java --add-opens=java.base/java.nio=ALL-UNNAMED -cp CP:. Exp raw:1024:1:0:0 span:64:3:7:0
import com.github.luben.zstd.*;
import java.nio.*;
import java.nio.file.*;
import java.util.*;
import java.lang.management.*;
import org.apache.arrow.memory.util.MemoryUtil;

class Exp {
  static final int W = 784, S = 28;
  static byte[] img;
  static final ThreadMXBean TM = ManagementFactory.getThreadMXBean();
  static int N;

  public static void main(String[] a) throws Exception {
    img = Files.readAllBytes(Path.of("/tmp/mnist-img.raw"));
    N = img.length / W;
    String[] specs = a;
    // spec: transform:blockKiB:level:minMatch:dict(0|trainedKiB|r<rawKiB>)
    ByteBuffer out = ByteBuffer.allocateDirect(img.length);
    for (int i = 0; i < img.length; i += 4096) out.put(i, (byte) 0);
    for (String spec : specs) run(spec, out);
  }

  static byte[] span(byte[] src, int from, int n) {
    int R = W / S;
    byte[] out = new byte[2 * n * R + n * W];
    int p = 2 * n * R;
    for (int i = 0; i < n; i++) {
      int b = from + i * W;
      int ps = 0, pe = 0;
      for (int r = 0; r < R; r++) {
        int rb = b + r * S;
        int st = 0, en = 0;
        for (int j = 0; j < S; j++) if (src[rb + j] != 0) { st = j; break; }
        for (int j = S - 1; j >= 0; j--) if (src[rb + j] != 0) { en = j + 1; break; }
        if (en == 0) st = 0;
        out[2 * (i * R + r)] = (byte) (st - ps);
        out[2 * (i * R + r) + 1] = (byte) (en - pe);
        ps = st; pe = en;
        for (int j = st; j < en; j++) out[p++] = (byte) (src[rb + j] - (r == 0 ? 0 : src[rb + j - S]));
      }
    }
    return Arrays.copyOf(out, p);
  }
  static final long[] FROM = new long[96];
  static {
    for (int a = -32; a < 64; a++) FROM[a + 32] = a <= 0 ? -1L : a >= 8 ? 0 : -1L << (8 * a);
  }
  static int unspan(long src, long dst, int n, int rawLen) {
    final int R = W / S;
    long spans = src;
    long p = src + 2L * n * R;
    for (int i = 0; i < n; i++) {
      long d = dst + (long) i * W;
      long u0 = 0, u1 = 0, u2 = 0, u3 = 0;
      int st = 0, en = 0;
      long sp = spans + 2L * i * R;
      for (int r = 0; r < R; r++) {
        short pair = MemoryUtil.getShort(sp + 2L * r);
        st = (st + pair) & 0xFF;
        en = (en + (pair >> 8)) & 0xFF;
        if (st > en || en > S) throw new IllegalStateException("bad span");
        long q = p - st;
        long m0 = FROM[st + 32] & ~FROM[en + 32];
        long m1 = FROM[st + 24] & ~FROM[en + 24];
        long m2 = FROM[st + 16] & ~FROM[en + 16];
        long m3 = FROM[st + 8] & ~FROM[en + 8] & 0xFFFFFFFFL;
        u0 = add(MemoryUtil.getLong(q), u0) & m0;
        u1 = add(MemoryUtil.getLong(q + 8), u1) & m1;
        u2 = add(MemoryUtil.getLong(q + 16), u2) & m2;
        u3 = add(MemoryUtil.getInt(q + 24) & 0xFFFFFFFFL, u3) & m3;
        long dr = d + (long) r * S;
        MemoryUtil.putLong(dr, u0); MemoryUtil.putLong(dr + 8, u1); MemoryUtil.putLong(dr + 16, u2); MemoryUtil.putInt(dr + 24, (int) u3);
        p += en - st;
      }
    }
    return (int) (p - src);
  }
  static byte[] transform(String t, byte[] src, int from, int n) {
    if (t.equals("span")) return span(src, from, n);
    if (t.equals("wide")) return wide(src, from, n);
    byte[] r = new byte[n * W];
    for (int i = 0; i < n; i++) {
      int b = from + i * W, o = i * W;
      for (int j = 0; j < W; j++) {
        int x = src[b + j] & 0xFF;
        int up = j >= S ? src[b + j - S] & 0xFF : 0;
        int v;
        switch (t) {
          case "raw" -> v = x;
          case "up" -> v = x - up;
          case "upnz" -> v = up == 0 ? x : x - up;
          default -> throw new IllegalArgumentException(t);
        }
        r[o + j] = (byte) v;
      }
    }
    return r;
  }

  static final long HI = 0x8080808080808080L;
  static byte[] wide(byte[] src, int from, int n) {
    ByteBuffer in = ByteBuffer.wrap(src).order(ByteOrder.LITTLE_ENDIAN);
    byte[] r = new byte[n * W];
    ByteBuffer o = ByteBuffer.wrap(r).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      int b = from + i * W, ob = i * W;
      for (int row = 0; row < W; row += S) {
        for (int k = 0; k < 24; k += 8) {
          long x = in.getLong(b + row + k), y = row == 0 ? 0 : in.getLong(b + row - S + k);
          o.putLong(ob + row + k, x - y);
        }
        int x = in.getInt(b + row + 24), y = row == 0 ? 0 : in.getInt(b + row - S + 24);
        o.putInt(ob + row + 24, x - y);
      }
    }
    return r;
  }
  static void unwide(long src, long dst, int n) {
    for (int i = 0; i < n; i++) {
      long s = src + (long) i * W, d = dst + (long) i * W;
      long p0 = MemoryUtil.getLong(s), p1 = MemoryUtil.getLong(s + 8), p2 = MemoryUtil.getLong(s + 16);
      int p3 = MemoryUtil.getInt(s + 24);
      MemoryUtil.putLong(d, p0); MemoryUtil.putLong(d + 8, p1); MemoryUtil.putLong(d + 16, p2); MemoryUtil.putInt(d + 24, p3);
      for (int row = S; row < W; row += S) {
        long sr = s + row, dr = d + row;
        p0 += MemoryUtil.getLong(sr); p1 += MemoryUtil.getLong(sr + 8); p2 += MemoryUtil.getLong(sr + 16); p3 += MemoryUtil.getInt(sr + 24);
        MemoryUtil.putLong(dr, p0); MemoryUtil.putLong(dr + 8, p1); MemoryUtil.putLong(dr + 16, p2); MemoryUtil.putInt(dr + 24, p3);
      }
    }
  }
  static long add(long x, long y) { return ((x & ~HI) + (y & ~HI)) ^ ((x ^ y) & HI); }
  static long nzmask(long y) {
    long t = (y & ~HI) + ~HI; // high bit set if low 7 bits nonzero
    long nz = (t | y) & HI;
    return (nz >>> 7) * 0xFF;
  }

  static void untransform(String t, long src, long dst, int n) {
    if (t.equals("raw")) { MemoryUtil.copyMemory(src, dst, (long) n * W); return; }
    if (t.equals("span")) { unspan(src, dst, n, 0); return; }
    if (t.equals("wide")) { unwide(src, dst, n); return; }
    if (t.equals("up") && REG) { untransformReg(src, dst, n); return; }
    if (t.equals("up") && INPLACE) { untransformReg(src, src, n); MemoryUtil.copyMemory(src, dst, (long) n * W); return; }
    boolean nzOnly = t.equals("upnz");
    for (int i = 0; i < n; i++) {
      long s = src + (long) i * W, d = dst + (long) i * W;
      MemoryUtil.copyMemory(s, d, S);
      for (int row = S; row < W; row += S) {
        long sr = s + row, dr = d + row, up = dr - S;
        for (int k = 0; k < 24; k += 8) {
          long y = MemoryUtil.getLong(up + k);
          if (nzOnly) y &= nzmask(y);
          MemoryUtil.putLong(dr + k, add(MemoryUtil.getLong(sr + k), y));
        }
        int x = MemoryUtil.getInt(sr + 24), y = MemoryUtil.getInt(up + 24);
        long yy = y & 0xFFFFFFFFL;
        if (nzOnly) yy &= nzmask(yy);
        MemoryUtil.putInt(dr + 24, (int) add(x & 0xFFFFFFFFL, yy));
      }
    }
  }

  static final boolean INPLACE = Boolean.getBoolean("inplace");
  static final boolean REG = Boolean.getBoolean("reg");
  static void untransformReg(long src, long dst, int n) {
    for (int i = 0; i < n; i++) {
      long s = src + (long) i * W, d = dst + (long) i * W;
      long p0 = MemoryUtil.getLong(s), p1 = MemoryUtil.getLong(s + 8), p2 = MemoryUtil.getLong(s + 16);
      long p3 = MemoryUtil.getInt(s + 24) & 0xFFFFFFFFL;
      MemoryUtil.putLong(d, p0); MemoryUtil.putLong(d + 8, p1); MemoryUtil.putLong(d + 16, p2); MemoryUtil.putInt(d + 24, (int) p3);
      for (int row = S; row < W; row += S) {
        long sr = s + row, dr = d + row;
        p0 = add(MemoryUtil.getLong(sr), p0);
        p1 = add(MemoryUtil.getLong(sr + 8), p1);
        p2 = add(MemoryUtil.getLong(sr + 16), p2);
        p3 = add(MemoryUtil.getInt(sr + 24) & 0xFFFFFFFFL, p3) & 0xFFFFFFFFL;
        MemoryUtil.putLong(dr, p0); MemoryUtil.putLong(dr + 8, p1); MemoryUtil.putLong(dr + 16, p2); MemoryUtil.putInt(dr + 24, (int) p3);
      }
    }
  }

  static void run(String spec, ByteBuffer out) {
    String[] p = spec.split(":");
    String t = p[0];
    int blockBytes = Integer.parseInt(p[1]) * 1024;
    int level = Integer.parseInt(p[2]);
    int minMatch = Integer.parseInt(p[3]);
    String dictSpec = p[4];
    int per = Math.max(1, blockBytes / W);
    int nb = (N + per - 1) / per;
    byte[][] tr = new byte[nb][];
    for (int b = 0; b < nb; b++) tr[b] = transform(t, img, b * per * W, Math.min(per, N - b * per));
    long t0 = System.nanoTime();
    byte[] dict = null;
    if (!dictSpec.equals("0")) {
      if (dictSpec.startsWith("r")) {
        int sz = Integer.parseInt(dictSpec.substring(1)) * 1024;
        // raw content: the transformed images of evenly spaced blocks
        dict = new byte[sz];
        int at = 0;
        for (int b = 0; at < sz; b = (b + 7) % nb) {
          int c = Math.min(tr[b].length, sz - at);
          System.arraycopy(tr[b], 0, dict, at, c);
          at += c;
        }
      } else {
        int sz = Integer.parseInt(dictSpec) * 1024;
        // samples: single images (transformed), every 4th image up to 100x dict size
        int maxSample = sz * 100;
        ZstdDictTrainer trainer = new ZstdDictTrainer(maxSample + 1024, sz);
        int added = 0;
        int step = Math.max(1, (int) ((long) N * W / maxSample));
        for (int i = 0; i < N && added + W <= maxSample; i += step) {
          trainer.addSample(transform(t, img, i * W, 1));
          added += W;
        }
        dict = trainer.trainSamples();
      }
    }
    long trainNs = System.nanoTime() - t0;
    ZstdCompressCtx cc = new ZstdCompressCtx();
    cc.setLevel(level);
    if (minMatch > 0) cc.setMinMatch(minMatch);
    ZstdDictCompress dc = null;
    ZstdDictDecompress dd = null;
    if (dict != null) {
      dc = new ZstdDictCompress(dict, level);
      dd = new ZstdDictDecompress(dict);
      cc.loadDict(dc);
    }
    long c0 = System.nanoTime();
    ByteBuffer[] comp = new ByteBuffer[nb];
    long total = dict == null ? 0 : dict.length;
    for (int b = 0; b < nb; b++) {
      byte[] c = cc.compress(tr[b]);
      comp[b] = ByteBuffer.allocateDirect(c.length);
      comp[b].put(c).flip();
      total += c.length;
    }
    long compNs = System.nanoTime() - c0;
    ZstdDecompressCtx dctx = new ZstdDecompressCtx();
    if (dd != null) dctx.loadDict(dd);
    ByteBuffer scratch = ByteBuffer.allocateDirect(per * W + 4 * per * W / 28 + 64);
    long sa = MemoryUtil.getByteBufferAddress(scratch), oa = MemoryUtil.getByteBufferAddress(out);
    long[] times = new long[9];
    long[] ztimes = new long[9];
    for (int rep = 0; rep < times.length; rep++) {
      long s0 = TM.getCurrentThreadCpuTime();
      long z = 0;
      for (int b = 0; b < nb; b++) {
        int n = Math.min(per, N - b * per);
        long zz = System.nanoTime();
        int got = dctx.decompressDirectByteBuffer(scratch, 0, tr[b].length, comp[b], 0, comp[b].limit());
        z += System.nanoTime() - zz;
        if (got != tr[b].length) throw new IllegalStateException();
        untransform(t, sa, oa + (long) b * per * W, n);
      }
      times[rep] = TM.getCurrentThreadCpuTime() - s0;
      ztimes[rep] = z;
    }
    long[] zc = new long[7];
    for (int rep = 0; rep < zc.length; rep++) {
      long s0 = TM.getCurrentThreadCpuTime();
      for (int b = 0; b < nb; b++) {
        int n = Math.min(per, N - b * per);
        dctx.decompressDirectByteBuffer(scratch, 0, tr[b].length, comp[b], 0, comp[b].limit());
      }
      zc[rep] = TM.getCurrentThreadCpuTime() - s0;
    }
    Arrays.sort(zc);
    ztimes[4] = zc[3];
    // verify
    for (int i = 0; i < img.length; i += 997) if (out.get(i) != img[i]) throw new IllegalStateException("mismatch " + spec + " at " + i);
    Arrays.sort(times);
    
    System.out.printf("%-24s size %,11d (%.4fx pq)  dict %6d  train %6.0f ms  comp %6.0f ms  decode %5.1f ms (zstd %5.1f)%n", spec, total,
        total / 26656969.0, dict == null ? 0 : dict.length, trainNs / 1e6, compNs / 1e6, times[4] / 1e6, ztimes[4] / 1e6);
    cc.close();
    dctx.close();
  }
}

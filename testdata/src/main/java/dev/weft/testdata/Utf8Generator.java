package dev.weft.testdata;

import java.util.Random;

/** Generates valid UTF-8 byte sequences mixing 1-, 2-, 3- and 4-byte characters. */
final class Utf8Generator {
  private Utf8Generator() {}

  /** Returns valid UTF-8 of exactly {@code length} bytes. */
  static byte[] generate(Random rnd, int length) {
    byte[] out = new byte[length];
    int n = 0;
    while (n < length) {
      int width = Math.min(pickWidth(rnd), length - n);
      n = encode(codePoint(rnd, width), out, n);
    }
    return out;
  }

  private static int pickWidth(Random rnd) {
    int r = rnd.nextInt(100);
    if (r < 55) {
      return 1;
    } else if (r < 70) {
      return 2;
    } else if (r < 88) {
      return 3;
    }
    return 4;
  }

  private static int codePoint(Random rnd, int width) {
    switch (width) {
      case 1: // mostly printable ASCII, sometimes a control character such as NUL
        return rnd.nextInt(50) == 0 ? rnd.nextInt(0x20) : 0x20 + rnd.nextInt(0x7F - 0x20);
      case 2:
        return 0x80 + rnd.nextInt(0x800 - 0x80);
      case 3: // skip the surrogate range, which is not valid in UTF-8
        int cp = 0x800 + rnd.nextInt(0x10000 - 0x800 - 0x800);
        return cp >= 0xD800 ? cp + 0x800 : cp;
      default:
        return 0x10000 + rnd.nextInt(0x110000 - 0x10000);
    }
  }

  private static int encode(int cp, byte[] out, int pos) {
    if (cp < 0x80) {
      out[pos] = (byte) cp;
      return pos + 1;
    } else if (cp < 0x800) {
      out[pos] = (byte) (0xC0 | (cp >>> 6));
      out[pos + 1] = (byte) (0x80 | (cp & 0x3F));
      return pos + 2;
    } else if (cp < 0x10000) {
      out[pos] = (byte) (0xE0 | (cp >>> 12));
      out[pos + 1] = (byte) (0x80 | ((cp >>> 6) & 0x3F));
      out[pos + 2] = (byte) (0x80 | (cp & 0x3F));
      return pos + 3;
    }
    out[pos] = (byte) (0xF0 | (cp >>> 18));
    out[pos + 1] = (byte) (0x80 | ((cp >>> 12) & 0x3F));
    out[pos + 2] = (byte) (0x80 | ((cp >>> 6) & 0x3F));
    out[pos + 3] = (byte) (0x80 | (cp & 0x3F));
    return pos + 4;
  }
}

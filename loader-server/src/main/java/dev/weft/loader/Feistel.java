package dev.weft.loader;

/**
 * A keyed pseudo-random permutation of {@code [0, n)} for any {@code n}, in O(1) memory.
 *
 * <p>Construction: a Feistel network over the smallest power-of-two domain {@code 2^k >= n}.
 * For odd {@code k} the halves are unbalanced ({@code ceil(k/2)} and {@code floor(k/2)} bits);
 * each round maps {@code (L, R) -> (R, L xor F_i(R))}, which swaps the widths, and an even number
 * of rounds restores them. The round function is the MurmurHash3 finalizer of the right half
 * plus a round key (keys drawn from a SplitMix64 stream seeded with the permutation's key) and a
 * per-call tweak, truncated to the width of the left half. Values that land outside
 * {@code [0, n)} are walked along their cycle until they land inside (cycle walking), which keeps
 * the result a bijection of {@code [0, n)}; since {@code 2^k < 2n}, fewer than two steps are
 * needed on average.
 *
 * <p>The tweak lets one key produce a whole family of independent permutations (one per window of
 * a block shuffle) without deriving new round keys. Instances are immutable and thread-safe.
 */
final class Feistel {
  /** Rounds of the network; even, so the half widths are restored at the end. */
  static final int ROUNDS = 6;

  private final long[] keys = new long[ROUNDS];

  Feistel(long key) {
    long s = key;
    for (int i = 0; i < ROUNDS; i++) {
      s += Mix.GOLDEN;
      keys[i] = Mix.splitmix64(s);
    }
  }

  /** Bits of the power-of-two domain used for {@code n >= 1} elements. */
  static int bitsFor(long n) {
    return n <= 1 ? 0 : 64 - Long.numberOfLeadingZeros(n - 1);
  }

  /** The image of {@code x} under the permutation of {@code [0, n)} selected by {@code tweak}. */
  long permute(long x, long n, long tweak) {
    int bits = bitsFor(n);
    if (bits == 0) {
      return 0;
    }
    long t = Mix.fmix64(tweak ^ 0x5851F42D4C957F2DL);
    long y = x;
    do {
      y = encrypt(y, bits, t);
    } while (y >= n);
    return y;
  }

  /** The preimage of {@code y}: {@code invert(permute(x, n, t), n, t) == x}. */
  long invert(long y, long n, long tweak) {
    int bits = bitsFor(n);
    if (bits == 0) {
      return 0;
    }
    long t = Mix.fmix64(tweak ^ 0x5851F42D4C957F2DL);
    long x = y;
    do {
      x = decrypt(x, bits, t);
    } while (x >= n);
    return x;
  }

  private long round(int i, long right, long tweak) {
    return Mix.fmix64(right + keys[i] ^ tweak);
  }

  /** One pass of the network over {@code [0, 2^bits)}. */
  private long encrypt(long v, int bits, long tweak) {
    int a = bits - (bits >>> 1); // width of the left (high) half
    int b = bits >>> 1; // width of the right (low) half
    for (int i = 0; i < ROUNDS; i++) {
      long left = v >>> b;
      long right = v & ((1L << b) - 1);
      long newRight = (left ^ round(i, right, tweak)) & ((1L << a) - 1);
      v = (right << a) | newRight;
      int w = a;
      a = b;
      b = w;
    }
    return v;
  }

  private long decrypt(long v, int bits, long tweak) {
    // after ROUNDS (even) rounds the widths are back to (a, b); undo rounds in reverse order
    int a = bits - (bits >>> 1);
    int b = bits >>> 1;
    for (int i = ROUNDS - 1; i >= 0; i--) {
      // before round i the widths were (a_i, b_i); after it the value is (R: b_i bits, L^F: a_i bits)
      int ai = (i % 2 == 0) ? a : b;
      int bi = (i % 2 == 0) ? b : a;
      long right = v >>> ai; // the old right half, b_i bits
      long newRight = v & ((1L << ai) - 1);
      long left = (newRight ^ round(i, right, tweak)) & ((1L << ai) - 1);
      v = (left << bi) | right;
    }
    return v;
  }
}

package dev.weft.loader;

/** 64-bit mixing functions used to derive keys; pure and stateless. */
final class Mix {
  static final long GOLDEN = 0x9E3779B97F4A7C15L;

  private Mix() {}

  /** The MurmurHash3 64-bit finalizer (a bijection of {@code long} with full avalanche). */
  static long fmix64(long z) {
    z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
    z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
    return z ^ (z >>> 33);
  }

  /** The SplitMix64 output function (Stafford variant 13). */
  static long splitmix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Absorbs {@code value} into the running hash {@code h} (order-sensitive). */
  static long absorb(long h, long value) {
    return splitmix64(h ^ fmix64(value + GOLDEN)) + GOLDEN;
  }
}

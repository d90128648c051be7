package dev.weft.writer;

/**
 * How one column node's blocks are best stored, learned from sampled blocks, so that the other
 * blocks are encoded once instead of with every candidate (selection by sampling, per node).
 *
 * <p>A full selection runs on the first block, then on every {@link #SAMPLE_EVERY}-th block,
 * and whenever a block stored the remembered way comes out more than {@link #DRIFT} times
 * larger (per raw byte) than the sample predicted. Each sample measures every candidate (plain,
 * encoded, encoded with byte-aligned widths; each compressed where that pays); the choice is
 * the candidate with the smallest decayed sum of sizes over the samples so far (each older
 * sample weighs half as much), so that one sample at the margin between two candidates does not
 * flip the choice for the blocks after it. An encoded candidate must beat plain by the same 10%
 * as in a full selection. The state depends only on the node's own blocks in order, so output
 * stays deterministic however nodes are scheduled. One per node writer.
 */
final class BlockChoice {
  /** Every this many blocks of a node, all candidates are tried again. */
  static final int SAMPLE_EVERY = 16;
  /** A remembered choice is dropped when a block stores this much worse than the sample did. */
  static final double DRIFT = 1.15;
  /** Size that stands for "not possible" in the sums (relative to the raw length). */
  private static final double IMPOSSIBLE = 4.0;

  private boolean known;
  private boolean encoded;
  private boolean aligned;
  private int scheme = -1;
  private double ratio;
  private int sinceSample;
  private double plainSum;
  private double unalignedSum;
  private double alignedSum;

  /** Whether the next block should try every candidate. */
  boolean needsSample() {
    return !known || sinceSample >= SAMPLE_EVERY;
  }

  boolean encoded() {
    return encoded;
  }

  boolean aligned() {
    return aligned;
  }

  /** The main-stream scheme to try first, or -1 to select among all. */
  int scheme() {
    return scheme;
  }

  /**
   * Records a sample: the stored sizes of the candidates on a block of {@code rawLength} bytes
   * (a negative size: the candidate was not possible) and the main-stream scheme each encoded
   * candidate used.
   */
  void sampled(int rawLength, int plain, int unaligned, int unalignedScheme, int alignedLength, int alignedScheme) {
    double raw = Math.max(1, rawLength);
    plainSum = plainSum / 2 + plain / raw;
    unalignedSum = unalignedSum / 2 + (unaligned < 0 ? IMPOSSIBLE : unaligned / raw);
    alignedSum = alignedSum / 2 + (alignedLength < 0 ? IMPOSSIBLE : alignedLength / raw);
    aligned = alignedSum < unalignedSum;
    double enc = aligned ? alignedSum : unalignedSum;
    encoded = enc <= plainSum * BlockSealer.KEEP_RATIO;
    int size = !encoded ? plain : aligned ? alignedLength : unaligned;
    scheme = !encoded ? -1 : aligned ? alignedScheme : unalignedScheme;
    if (size < 0) {
      size = plain;
    }
    ratio = size / raw;
    known = true;
    sinceSample = 0;
  }

  /**
   * Whether a block stored the remembered way in {@code storedLength} bytes is acceptable;
   * counts it if so.
   */
  boolean accept(int storedLength, int rawLength) {
    if (storedLength > ratio * DRIFT * rawLength + 16) {
      return false;
    }
    sinceSample++;
    return true;
  }
}

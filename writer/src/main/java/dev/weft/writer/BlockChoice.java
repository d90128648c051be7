package dev.weft.writer;

/**
 * How one column node's blocks are best stored, learned from sampled blocks, so that the other
 * blocks are encoded once instead of with every candidate (selection by sampling, per node).
 *
 * <p>A sampled block tries every candidate (plain, encoded, encoded with byte-aligned widths;
 * each compressed where that pays) and is stored as the best. The other blocks are stored the
 * remembered way: encoded with the remembered widths and main scheme (and a second scheme where
 * one also wins a share of at least {@link #ALT_SHARE} of the samples: the smaller encoding is
 * kept), then compressed where that pays. How often a node is sampled adapts to its data: when a
 * sample's winner is what the remembered way would have stored, the gap to the next sample
 * doubles (up to {@link #MAX_INTERVAL} blocks), else the next block is sampled too. Stable columns
 * thus cost about one encoding per block, and columns whose best encoding changes from block to
 * block get nearly a full selection per block. A remembered-way block more than {@link #DRIFT}
 * times larger (per raw byte) than the last sample is re-encoded with a full selection, unless it
 * stores at most {@link #SMALL_SHARE} of its raw bytes: a selection cannot save much there, and
 * columns of tiny blocks whose sizes swing (runs of timestamps: 0.7% then 4% of raw) would
 * otherwise be re-selected every few blocks. Where remembered blocks try both widths
 * ({@link #tryOtherWidths}), a sample won by either width counts as one they would have stored
 * (integers whose aligned and exact widths take turns winning by a few bytes were otherwise
 * sampled on almost every other block).
 *
 * <p>Between plain, unaligned and aligned, the choice is the candidate that won the most samples
 * (each older sample weighing half as much), so that the remembered way follows how often each
 * wins a full selection and one sample at the margin does not flip it. The state depends only on
 * the node's own blocks in order, so output stays deterministic however nodes are scheduled. One
 * per node writer.
 */
final class BlockChoice {
  /** A scheme that won at least this share of the samples the first one won is tried too. */
  static final double ALT_SHARE = 0.05;
  /** Scheme wins fade more slowly than candidate wins: a second scheme may win a minority of blocks. */
  static final double SCHEME_DECAY = 0.875;
  /** Other widths that won at least this share of the samples the chosen ones won are tried too. */
  static final double ALT_WIDTH_SHARE = 0.25;
  /** Most blocks between two samples of a node. */
  static final int MAX_INTERVAL = 32;
  /** A remembered-way block this much worse (per raw byte) than the last sample is re-selected. */
  static final double DRIFT = 1.10;
  /** ... unless it stores at most this share of its raw bytes. */
  static final int SMALL_SHARE_DIVISOR = 16;
  /** {@code 1 / SMALL_SHARE_DIVISOR}, for the docs. */
  static final double SMALL_SHARE = 1.0 / SMALL_SHARE_DIVISOR;

  private boolean known;
  private boolean encoded;
  private boolean aligned;
  private int scheme = -1;
  private double ratio;
  private int interval;
  private int sinceSample;
  /** Decayed count of samples each candidate won (older samples weigh half as much). */
  private final double[] wins = new double[3];
  /**
   * Decayed count of samples each main-stream scheme won, indexed by scheme id: a scheme id is one
   * byte in the format (3.0 added PAETH = 16 beyond the integer schemes), so every id has a slot.
   */
  private final double[] schemeWins = new double[256];
  private int altScheme = -1;
  /** Whether the codec pays for this node's blocks (see CodecProbe). */
  private final CodecProbe codec = new CodecProbe();

  /** The node's memory of whether the codec pays for its blocks. */
  CodecProbe codec() {
    return codec;
  }

  /**
   * Whether a sample's plain block is worth compressing: "paying" here means plain won the
   * sample. Where encodings win every sample, compressing the plain block (the largest input of a
   * selection) is skipped but for probes.
   */
  private final CodecProbe plainCodec = new CodecProbe();

  /** The node's memory of whether plain blocks win its samples (see {@link #codec()}). */
  CodecProbe plainCodec() {
    return plainCodec;
  }

  /** Whether the next block should try every candidate. */
  boolean needsSample() {
    return !known || sinceSample >= interval;
  }

  boolean encoded() {
    return encoded;
  }

  boolean aligned() {
    return aligned;
  }

  /**
   * Whether blocks stored the remembered (encoded) way should also try the other widths (aligned
   * instead of unaligned or back): where those win a share of the samples too.
   */
  boolean tryOtherWidths() {
    return encoded && wins[aligned ? UNALIGNED : ALIGNED] >= ALT_WIDTH_SHARE * wins[aligned ? ALIGNED : UNALIGNED];
  }

  /** A second main-stream scheme to try beside {@link #scheme()}, or -1. */
  int altScheme() {
    return altScheme;
  }

  /** The main-stream scheme to try first, or -1 to select among all. */
  int scheme() {
    return scheme;
  }

  /** Candidates of a full selection. */
  static final int PLAIN = 0;
  static final int UNALIGNED = 1;
  static final int ALIGNED = 2;

  /**
   * Records a sample: which candidate won a block of {@code rawLength} bytes ({@link #PLAIN},
   * {@link #UNALIGNED} or {@link #ALIGNED}), its stored length, and the main-stream scheme of the
   * encoded candidates (-1 where one was not made).
   */
  void sampled(int rawLength, int winner, int winnerLength, int unalignedScheme, int alignedScheme) {
    int winnerScheme = winner == PLAIN ? -1 : winner == ALIGNED ? alignedScheme : unalignedScheme;
    if (known) {
      // the remembered way would have stored this block as well as the winner did
      // (where remembered blocks try both widths, either width winning is what they would store)
      boolean sameWay = current() == winner || winner != PLAIN && current() != PLAIN && tryOtherWidths();
      boolean good = sameWay && (scheme == winnerScheme || altScheme == winnerScheme);
      interval = good ? Math.min(MAX_INTERVAL, Math.max(1, interval * 2)) : 0;
    }
    for (int c = 0; c < wins.length; c++) {
      wins[c] /= 2;
    }
    wins[winner] += 1;
    for (int k = 0; k < schemeWins.length; k++) {
      schemeWins[k] *= SCHEME_DECAY;
    }
    if (winnerScheme >= 0 && winnerScheme < schemeWins.length) {
      schemeWins[winnerScheme] += 1;
    }
    int best = PLAIN;
    for (int c = 1; c < wins.length; c++) {
      if (wins[c] > wins[best]) {
        best = c;
      }
    }
    encoded = best != PLAIN;
    aligned = best == ALIGNED;
    scheme = best == winner ? winnerScheme : best == ALIGNED ? alignedScheme : best == UNALIGNED ? unalignedScheme : -1;
    // a second scheme that often wins too is tried beside the first (the smaller is kept)
    altScheme = -1;
    if (encoded) {
      for (int k = 0; k < schemeWins.length; k++) {
        if (k != scheme && schemeWins[k] >= ALT_SHARE * schemeWins[Math.max(0, scheme)]
            && (altScheme < 0 || schemeWins[k] > schemeWins[altScheme])) {
          altScheme = k;
        }
      }
    }
    ratio = (double) winnerLength / Math.max(1, rawLength);
    known = true;
    sinceSample = 0;
  }

  private int current() {
    return !encoded ? PLAIN : aligned ? ALIGNED : UNALIGNED;
  }

  /**
   * Whether a block stored the remembered way in {@code storedLength} bytes is acceptable;
   * counts it if so.
   */
  boolean accept(int storedLength, int rawLength) {
    if (storedLength > Math.max(ratio * DRIFT * rawLength + 16, rawLength / SMALL_SHARE_DIVISOR)) {
      return false;
    }
    sinceSample++;
    return true;
  }
}

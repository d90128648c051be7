package dev.weft.format.encoding;

/**
 * The positions stream of patched exceptions (FOR, ALP): strictly ascending value indices
 * within a block of {@code n} values, checked before anything indexes with them.
 */
final class PatchPositions {
  private PatchPositions() {}

  /**
   * Reads {@code m} positions and checks them.
   *
   * @param what prefix of the error message, e.g. "ALP exception"
   */
  static int[] read(IntDecoder pos, int m, int n, String what) throws MalformedEncodingException {
    int[] positions = new int[m];
    long prev = -1;
    for (int k = 0; k < m; k++) {
      long p = pos.get(k);
      if (p <= prev || p >= n) {
        throw new MalformedEncodingException(what + " position " + p + " after " + prev + " (of " + n + " values)");
      }
      positions[k] = (int) p;
      prev = p;
    }
    return positions;
  }
}

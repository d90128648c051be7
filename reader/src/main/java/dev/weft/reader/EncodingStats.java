package dev.weft.reader;

/**
 * How much of one node is stored with one encoding, from the block tables alone (an encoded
 * block's flags name the scheme of its main stream, see {@code dev.weft.format.EncodedBlocks}).
 *
 * @param encoding "PLAIN" for plain blocks; otherwise the main stream's scheme, for example
 *     {@code FOR}, {@code DELTA}, {@code RLE}, {@code DICTIONARY}, {@code CONSTANT},
 *     {@code BYTE_STREAM_SPLIT}, {@code STRING_DICTIONARY}, {@code LENGTHS_CONSTANT},
 *     {@code BOOL_RUNS}, {@code VALIDITY_RUNS}
 * @param pages pages holding at least one such block
 * @param blocks mini-blocks
 * @param elements values in those blocks
 * @param storedBytes bytes stored (after the encoding and any compression)
 * @param rawBytes bytes before compression (after the encoding)
 */
public record EncodingStats(String encoding, long pages, long blocks, long elements, long storedBytes,
    long rawBytes) {

  /** Stored bits per value (0 when the blocks hold no value). */
  public double bitsPerValue() {
    return elements == 0 ? 0 : storedBytes * 8.0 / elements;
  }

  EncodingStats plus(long blocks, long elements, long stored, long raw) {
    return new EncodingStats(encoding, pages, this.blocks + blocks, this.elements + elements, storedBytes + stored,
        rawBytes + raw);
  }

  EncodingStats plusPage() {
    return new EncodingStats(encoding, pages + 1, blocks, elements, storedBytes, rawBytes);
  }
}

package dev.weft.format;

/**
 * Where one shared dictionary (format 4.0, {@link dev.weft.format.encoding.SharedDictionary}) of
 * one node and one row group is stored. 32 bytes, in the node's list after its PageMeta records:
 *
 * <pre>
 * DictionaryMeta --&gt; Offset u64, StoredLength u32, RawLength u32, Crc u32, Flags u32, NumEntries u32, Reserved u32
 * </pre>
 *
 * The stored bytes {@code [Offset, Offset + StoredLength)} lie in the row group of the pages that
 * name the dictionary (checked), 8-aligned; {@code Crc} is their CRC32C; {@code Flags} bits 1-2 are
 * the codec as in a block entry (other bits must be 0, checked); the raw dictionary has
 * {@code RawLength} bytes (at most {@link dev.weft.format.encoding.SharedDictionary#MAX_RAW_BYTES},
 * equal to StoredLength without a codec; checked) and {@code NumEntries} entries (1 to
 * {@link dev.weft.format.encoding.SharedDictionary#MAX_ENTRIES}, checked).
 */
public record DictionaryMeta(long offset, int storedLength, int rawLength, int crc, int flags, int numEntries) {
  /** Bytes of one record. */
  public static final int LENGTH = 32;

  /** The codec of the stored bytes. */
  public Codec codec() {
    return Codec.fromId(flags >>> WeftFormat.FLAG_CODEC_SHIFT & WeftFormat.FLAG_CODEC_MASK);
  }

  void encode(MetaOutput out) {
    out.u64(offset).u32(storedLength).u32(rawLength).u32(crc).u32(flags).u32(numEntries).u32(0);
  }

  static DictionaryMeta decode(MetaInput in) throws CorruptFileException {
    long offset = in.u64In("dictionary offset", WeftFormat.HEADER_LENGTH, Long.MAX_VALUE);
    int stored = in.u32In("dictionary stored length", 1, dev.weft.format.encoding.SharedDictionary.MAX_RAW_BYTES);
    int raw = in.u32In("dictionary raw length", 1, dev.weft.format.encoding.SharedDictionary.MAX_RAW_BYTES);
    int crc = in.rawU32("dictionary checksum");
    int flags = in.u32In("dictionary flags", 0, WeftFormat.FLAG_CODEC_MASK << WeftFormat.FLAG_CODEC_SHIFT);
    if ((flags & 1) != 0 || (flags >>> WeftFormat.FLAG_CODEC_SHIFT & WeftFormat.FLAG_CODEC_MASK) == 3) {
      throw in.corrupt("dictionary flags " + flags);
    }
    if ((flags >>> WeftFormat.FLAG_CODEC_SHIFT & WeftFormat.FLAG_CODEC_MASK) == 0 && raw != stored) {
      throw in.corrupt("uncompressed dictionary of " + stored + " stored and " + raw + " raw bytes");
    }
    int entries = in.u32In("dictionary entries", 1, dev.weft.format.encoding.SharedDictionary.MAX_ENTRIES);
    in.u32In("dictionary reserved field", 0, 0);
    return new DictionaryMeta(offset, stored, raw, crc, flags, entries);
  }
}

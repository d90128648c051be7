package dev.weft.format;

/**
 * Constants of the Weft file format. {@code format-spec/FORMAT.md} is the full byte-level
 * specification; this summary and that file must agree.
 *
 * <pre>
 * File        --&gt; Header, RowGroup^NumRowGroups, ColumnMeta^NumColumns, Directory, SchemaMessage, Footer, Tail
 * Header      --&gt; Magic "WEFT", Major u16, Minor u16, FileId byte[16], Reserved u32, HeaderCrc u32  (32 bytes)
 * RowGroup    --&gt; Page*   (column by column, node by node)
 * Page        --&gt; (MiniBlock, Padding to 8)^NumBlocks, BlockTable
 * BlockTable  --&gt; BlockEntry^NumBlocks                                                           (28 bytes each)
 * MiniBlock   --&gt; plain layout ({@link MiniBlock}) or, with flag ENCODED (2.0), {@link EncodedBlocks}
 * ColumnMeta  --&gt; FieldMessageLength u32, FieldMessage, Padding to 8, NumNodes u32,
 *                 (Kind u16, Reserved u16, Param u32)^NumNodes,
 *                 (NumPages u32, NumDictionaries u32, PageMeta^NumPages, DictionaryMeta^NumDictionaries)^NumNodes
 *                                                         (4.0; NumDictionaries was Reserved = 0 before)
 * Tail        --&gt; FooterOffset u64, FooterLength u32, FooterCrc u32, Major u16, Minor u16, Magic  (24 bytes)
 * </pre>
 *
 * All integers are little-endian. Every mini-block, block table, column metadata block,
 * directory, schema message and the footer carry a CRC32C; the header carries its own.
 */
public final class WeftFormat {
  private WeftFormat() {}

  /** "WEFT" in ASCII, at the start and at the very end of every file. */
  public static final int MAGIC = 0x54464557; // 'W','E','F','T' little-endian

  /** The first major version; a reader refuses any major version it does not know. */
  public static final int VERSION_MAJOR_START = 1;
  /**
   * Major version 2 adds encoded mini-blocks (block flag {@link #FLAG_ENCODED} and the scheme id
   * in flag bits 8-15, see {@link EncodedBlocks}). Readers of 2 read majors 1 and 2.
   */
  public static final int VERSION_MAJOR_ENCODINGS = 2;
  /**
   * Major version 3 adds encodings that 2.x readers do not know: the FSST string scheme
   * ({@link dev.weft.format.encoding.FsstStrings}) and encoded FIXED blocks of widths other than
   * 1, 2, 4, 8 ({@link dev.weft.format.encoding.BytesStreams}). Everything else, the index of 2.1
   * included, is as in 2.1. Readers of 3 read majors 1 to 3.
   */
  public static final int VERSION_MAJOR_FSST = 3;
  /**
   * Major version 4 adds shared dictionaries: one dictionary per node and row group (column
   * chunk), listed after the node's PageMeta records ({@link DictionaryMeta}), named by a page's
   * {@code Dictionary} field, and blocks whose main stream holds only codes into it
   * ({@link dev.weft.format.encoding.SharedDictionary}); and the BytesStream scheme UP (17) for
   * FIXED blocks of widths other than 1, 2, 4, 8 ({@link dev.weft.format.encoding.UpBytes}),
   * which the writer prefers to PAETH. Readers of 4 read majors 1 to 4.
   */
  public static final int VERSION_MAJOR_SHARED_DICTIONARY = 4;
  /** The major version that added the UP bytes scheme: the same 4.0 as shared dictionaries. */
  public static final int VERSION_MAJOR_UP_BYTES = VERSION_MAJOR_SHARED_DICTIONARY;
  /**
   * Major version 5 adds the BytesStream scheme SPAN (18) for FIXED blocks of widths other than
   * 1, 2, 4, 8 ({@link dev.weft.format.encoding.SpanBytes}: per image row the span outside of which
   * the bytes are zero, and UP residuals inside it only). Everything else is as in 4.0. Readers of
   * 5 read majors 1 to 5.
   */
  public static final int VERSION_MAJOR_SPAN_BYTES = 5;
  /**
   * Major version 6 adds the BytesStream scheme SPAN_FOLD (19): SPAN with its span deltas
   * zigzag-coded and its residuals folded ({@link dev.weft.format.encoding.SpanBytes}), which the writer tries
   * instead of SPAN. Everything else is as in 5.0. Readers of 6 read majors 1 to 6.
   */
  public static final int VERSION_MAJOR_SPAN_FOLD = 6;
  /** The major version this library writes; it reads every major from {@link #VERSION_MAJOR_START}. */
  public static final int VERSION_MAJOR_CURRENT = VERSION_MAJOR_SPAN_FOLD;
  /**
   * The minor version this library writes. Newer minors of the same major stay readable. (Minor 1
   * of major 2, format 2.1, appended to the footer the location of the index: a name index, zone
   * maps and bloom filters ({@code dev.weft.index}), which 2.0 readers ignore; 3.0 to 6.0 keep it.)
   */
  public static final int VERSION_MINOR_CURRENT = 0;
  /** The first minor version of major 2 with the index (zone maps, bloom filters, name index); every 3.x has it. */
  public static final int VERSION_MINOR_INDEX = 1;

  /** Whether files of version {@code major.minor} may carry the index (2.1 and later). */
  public static boolean hasIndex(int major, int minor) {
    return major > VERSION_MAJOR_ENCODINGS || (major == VERSION_MAJOR_ENCODINGS && minor >= VERSION_MINOR_INDEX);
  }

  public static final int HEADER_LENGTH = 32;
  public static final int TAIL_LENGTH = 24;
  /** Size of one block-table entry in bytes. */
  public static final int BLOCK_ENTRY_LENGTH = 28;
  /** Size of one page-metadata entry in bytes. */
  public static final int PAGE_META_LENGTH = 56;
  /** Size of one column-directory entry in bytes. */
  public static final int DIRECTORY_ENTRY_LENGTH = 16;
  /** Mini-blocks and buffers inside a raw mini-block are aligned to this many bytes. */
  public static final int ALIGNMENT = 8;

  /** Block-entry flag: the raw mini-block starts with a validity bitmap. */
  public static final int FLAG_HAS_VALIDITY = 1;
  /** Block-entry flags bits 1-2: the codec of the stored bytes ({@link Codec#id()}). */
  public static final int FLAG_CODEC_SHIFT = 1;
  public static final int FLAG_CODEC_MASK = 0b11;
  /** Every flag bit format 1.x defines; any other set bit means corruption. */
  public static final int FLAGS_KNOWN_V1 = FLAG_HAS_VALIDITY | (FLAG_CODEC_MASK << FLAG_CODEC_SHIFT);
  /** Block-entry flag (2.0): the raw mini-block is encoded ({@link EncodedBlocks}), not plain. */
  public static final int FLAG_ENCODED = 1 << 3;
  /** Block-entry flags bits 8-15 (2.0): the scheme id of an encoded block's main stream, else 0. */
  public static final int FLAG_SCHEME_SHIFT = 8;
  public static final int FLAG_SCHEME_MASK = 0xFF;
  /** Every flag bit format 2.x defines; any other set bit means corruption. */
  public static final int FLAGS_KNOWN_V2 = FLAGS_KNOWN_V1 | FLAG_ENCODED | (FLAG_SCHEME_MASK << FLAG_SCHEME_SHIFT);
  /** Every flag bit the current version defines. */
  public static final int FLAGS_KNOWN = FLAGS_KNOWN_V2;

  /** The flag bits a file of major version {@code major} may use. */
  public static int flagsKnown(int major) {
    return major >= VERSION_MAJOR_ENCODINGS ? FLAGS_KNOWN_V2 : FLAGS_KNOWN_V1;
  }

  /** Page encoding 0: every mini-block holds its buffers plainly (then maybe compressed). */
  public static final int ENCODING_PLAIN = 0;

  /** Rounds {@code n} up to the alignment. */
  public static long align(long n) {
    return (n + ALIGNMENT - 1) & ~(long) (ALIGNMENT - 1);
  }
}

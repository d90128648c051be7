package dev.weft.format;

/**
 * Where one page of one node is and what it covers. 56 bytes on disk:
 *
 * <pre>
 * PageMeta --&gt; FirstRow u64, NumRows u32, NumBlocks u32, FirstElement u64, NumElements u64,
 *              Offset u64, DataLength u32, TableCrc u32, Encoding u32, Dictionary u32
 * </pre>
 *
 * {@code Dictionary} (format 4.0; Reserved, written 0, before): 0, or k &gt;= 1 when the page's
 * blocks may refer to the node's shared dictionary k - 1 ({@link DictionaryMeta}).
 *
 * The page's mini-blocks fill {@code [Offset, Offset + DataLength)} (each padded to 8 bytes);
 * its block table of {@code NumBlocks} entries follows at {@code Offset + DataLength}, with
 * CRC32C {@code TableCrc}. A page never spans two row groups. Rows are top-level rows of the
 * file; elements are this node's values (for a child of a list, the list items).
 */
public record PageMeta(
    long firstRow,
    int numRows,
    int numBlocks,
    long firstElement,
    long numElements,
    long offset,
    int dataLength,
    int tableCrc,
    int encoding,
    int dictionary) {

  /** A page without a shared dictionary. */
  public PageMeta(long firstRow, int numRows, int numBlocks, long firstElement, long numElements, long offset,
      int dataLength, int tableCrc, int encoding) {
    this(firstRow, numRows, numBlocks, firstElement, numElements, offset, dataLength, tableCrc, encoding, 0);
  }

  /** This page with shared dictionary reference {@code dictionary} (0 none, k: dictionary k - 1). */
  public PageMeta withDictionary(int dictionary) {
    return new PageMeta(firstRow, numRows, numBlocks, firstElement, numElements, offset, dataLength, tableCrc,
        encoding, dictionary);
  }

  public long tableOffset() {
    return offset + dataLength;
  }

  /** Bytes of the block table; decode bounds NumBlocks so this cannot overflow. */
  public int tableLength() {
    return numBlocks * WeftFormat.BLOCK_ENTRY_LENGTH;
  }

  void encode(MetaOutput out) {
    out.u64(firstRow).u32(numRows).u32(numBlocks).u64(firstElement).u64(numElements)
        .u64(offset).u32(dataLength).u32(tableCrc).u32(encoding).u32(dictionary);
  }

  static PageMeta decode(MetaInput in) throws CorruptFileException {
    long firstRow = in.u64In("page first row", 0, Long.MAX_VALUE);
    int numRows = in.u32In("page row count", 1, Integer.MAX_VALUE);
    int numBlocks = in.u32In("page block count", 1,
        Math.min(numRows, Integer.MAX_VALUE / WeftFormat.BLOCK_ENTRY_LENGTH));
    long firstElement = in.u64In("page first element", 0, Long.MAX_VALUE);
    long numElements = in.u64In("page element count", 0, Integer.MAX_VALUE);
    long offset = in.u64In("page offset", WeftFormat.HEADER_LENGTH, Long.MAX_VALUE);
    int dataLength = in.u32In("page data length", 0, Integer.MAX_VALUE);
    int tableCrc = in.rawU32("page table checksum");
    int encoding = in.u32In("page encoding", 0, Integer.MAX_VALUE);
    int dictionary = in.u32In("page dictionary", 0, Integer.MAX_VALUE); // checked by ColumnMeta per version
    return new PageMeta(firstRow, numRows, numBlocks, firstElement, numElements, offset, dataLength,
        tableCrc, encoding, dictionary);
  }
}

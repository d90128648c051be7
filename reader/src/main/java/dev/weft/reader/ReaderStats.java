package dev.weft.reader;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of the I/O a reader did, for tests and benchmarks of I/O amplification. Data bytes
 * are mini-block bytes; metadata bytes are everything else (tail, footer, directory, column
 * blocks, block tables). Safe to read while other threads read the file.
 */
public final class ReaderStats {
  private final LongAdder dataBytes = new LongAdder();
  private final LongAdder metadataBytes = new LongAdder();
  private final LongAdder blocksDecoded = new LongAdder();
  private final LongAdder zeroCopyBuffers = new LongAdder();
  private final LongAdder indexFallbacks = new LongAdder();
  private final LongAdder dictionaryBytes = new LongAdder();
  private final LongAdder dictionariesDecoded = new LongAdder();

  void addDictionary(long bytes) {
    dictionaryBytes.add(bytes);
    dictionariesDecoded.increment();
  }

  /**
   * Bytes of shared dictionaries read (format 4.0, stored size): each column chunk's dictionary
   * is read and decoded on the first read of a block that refers to it, then kept in the block
   * cache (read again if the cache evicted it).
   */
  public long dictionaryBytesRead() {
    return dictionaryBytes.sum();
  }

  /** Shared dictionaries read and decoded (once per node and row group while cached). */
  public long dictionariesDecoded() {
    return dictionariesDecoded.sum();
  }

  void addIndexFallback() {
    indexFallbacks.increment();
  }

  /**
   * Index structures (name index chunks, zone maps, bloom filters) whose checksum did not match
   * and that the reader ignored, reading the directory or the data instead.
   */
  public long indexFallbacks() {
    return indexFallbacks.sum();
  }

  void addData(long bytes) {
    dataBytes.add(bytes);
  }

  void addMetadata(long bytes) {
    metadataBytes.add(bytes);
  }

  void addBlock() {
    blocksDecoded.increment();
  }

  void addZeroCopy() {
    zeroCopyBuffers.increment();
  }

  /** Bytes of mini-blocks read (stored size, before decompression). */
  public long dataBytesRead() {
    return dataBytes.sum();
  }

  /** Bytes of metadata read. */
  public long metadataBytesRead() {
    return metadataBytes.sum();
  }

  public long bytesRead() {
    return dataBytesRead() + metadataBytesRead() + dictionaryBytesRead();
  }

  /**
   * Mini-blocks read: decoded, or (for a single fixed-width value of an uncompressed, verified
   * block) read in place. Blocks served from the decoded-block cache are not counted.
   */
  public long blocksDecoded() {
    return blocksDecoded.sum();
  }

  /** Arrow buffers handed out as views of the mapped file, without a copy. */
  public long zeroCopyBuffers() {
    return zeroCopyBuffers.sum();
  }

  public void reset() {
    dataBytes.reset();
    metadataBytes.reset();
    blocksDecoded.reset();
    zeroCopyBuffers.reset();
    indexFallbacks.reset();
    dictionaryBytes.reset();
    dictionariesDecoded.reset();
  }

  @Override
  public String toString() {
    return "ReaderStats{data=" + dataBytesRead() + "B, metadata=" + metadataBytesRead() + "B, blocks="
        + blocksDecoded() + ", zeroCopy=" + zeroCopyBuffers() + ", dictionaries=" + dictionaryBytesRead() + "B}";
  }
}

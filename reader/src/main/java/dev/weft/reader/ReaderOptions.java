package dev.weft.reader;

/** Immutable reader settings. Default: verify every checksum on first read. */
public final class ReaderOptions {
  private final boolean verifyChecksums;

  private ReaderOptions(boolean verifyChecksums) {
    this.verifyChecksums = verifyChecksums;
  }

  public static ReaderOptions defaults() {
    return new ReaderOptions(true);
  }

  /** Whether each mini-block's CRC32C is checked the first time it is read (default true). */
  public boolean verifyChecksums() {
    return verifyChecksums;
  }

  public ReaderOptions withVerifyChecksums(boolean verify) {
    return new ReaderOptions(verify);
  }
}

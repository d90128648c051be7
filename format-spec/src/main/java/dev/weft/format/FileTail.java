package dev.weft.format;

import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The fixed 24 bytes at the very end of a file; the only thing a reader must find without
 * any other knowledge.
 *
 * <pre>
 * Tail --&gt; FooterOffset u64, FooterLength u32, FooterCrc u32, Major u16, Minor u16, Magic u32 "WEFT"
 * </pre>
 */
public record FileTail(long footerOffset, int footerLength, int footerCrc, int major, int minor) {

  public byte[] encode() {
    MetaOutput out = new MetaOutput(WeftFormat.TAIL_LENGTH);
    out.u64(footerOffset).u32(footerLength).u32(footerCrc).u16(major).u16(minor).u32(WeftFormat.MAGIC);
    return out.toByteArray();
  }

  /**
   * Parses the tail and checks the magic, the version and that the footer lies inside a file
   * of {@code fileSize} bytes between the header and the tail.
   */
  public static FileTail decode(ByteBuffer bytes, Path file, long fileSize) throws WeftException {
    long base = fileSize - WeftFormat.TAIL_LENGTH;
    MetaInput in = new MetaInput(bytes, file, null, base);
    long footerOffset = in.u64In("footer offset", Long.MIN_VALUE, Long.MAX_VALUE);
    long footerLength = in.u32("footer length");
    int footerCrc = in.rawU32("footer checksum");
    int major = in.u16("major version");
    int minor = in.u16("minor version");
    int magic = in.rawU32("magic");
    if (magic != WeftFormat.MAGIC) {
      throw CorruptFileException.at(file, null, fileSize - 4,
          "not a Weft file, or a truncated one (no magic at the end)");
    }
    if (major > WeftFormat.VERSION_MAJOR_CURRENT) {
      throw new FormatTooNewException("Weft file " + file + " has format version " + major + "." + minor
          + "; this reader supports major versions " + WeftFormat.VERSION_MAJOR_START + " to "
          + WeftFormat.VERSION_MAJOR_CURRENT + ": upgrade Weft to read it", file);
    }
    if (major < WeftFormat.VERSION_MAJOR_START) {
      throw CorruptFileException.at(file, null, fileSize - 8, "unknown format version " + major + "." + minor);
    }
    if (footerOffset < WeftFormat.HEADER_LENGTH || footerOffset + footerLength != base) {
      throw CorruptFileException.at(file, null, base, "footer at " + footerOffset + " of length "
          + footerLength + " does not end where the tail starts (" + base + ")");
    }
    return new FileTail(footerOffset, (int) footerLength, footerCrc, major, minor);
  }
}

package dev.weft.format;

import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The 32-byte header at offset 0.
 *
 * <pre>
 * Header --&gt; Magic u32 "WEFT", Major u16, Minor u16, FileId byte[16], Reserved u32 (0), HeaderCrc u32
 * </pre>
 *
 * HeaderCrc is the CRC32C of the first 28 bytes. The file id is random per file and repeated in
 * the footer, so a header spliced from another file is detected.
 */
public record FileHeader(int major, int minor, byte[] fileId) {

  public byte[] encode() {
    MetaOutput out = new MetaOutput(WeftFormat.HEADER_LENGTH);
    out.u32(WeftFormat.MAGIC).u16(major).u16(minor).bytes(fileId).u32(0);
    out.u32(out.crc32c());
    return out.toByteArray();
  }

  /** Parses and checks a header (magic, checksum, version). */
  public static FileHeader decode(ByteBuffer bytes, Path file) throws WeftException {
    MetaInput in = new MetaInput(bytes, file, null, 0);
    if (in.remaining() < WeftFormat.HEADER_LENGTH) {
      throw CorruptFileException.at(file, null, 0, "file too short for a Weft header");
    }
    int magic = in.rawU32("magic");
    if (magic != WeftFormat.MAGIC) {
      throw CorruptFileException.at(file, null, 0, "not a Weft file (wrong magic at the start)");
    }
    int major = in.u16("major version");
    int minor = in.u16("minor version");
    byte[] id = in.bytes(16, "file id");
    in.u32In("header reserved field", 0, 0);
    int stored = in.rawU32("header checksum");
    byte[] first = new byte[28];
    bytes.duplicate().get(first);
    if (Checksums.crc32c(first, 0, 28) != stored) {
      throw CorruptFileException.at(file, null, 0, "header checksum mismatch");
    }
    return new FileHeader(major, minor, id);
  }
}

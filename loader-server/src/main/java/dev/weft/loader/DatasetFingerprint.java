package dev.weft.loader;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * A stable SHA-256 digest identifying the exact contents of a {@link WeftDataset}, so that an
 * epoch order or a checkpoint is never applied to different data silently.
 *
 * <p>The digest covers, for every file in dataset order: the file name (not the directory, so a
 * dataset may be moved or copied), its size in bytes, its row count, its 16-byte random file id
 * (from the header) and its footer CRC32C (from the 24-byte tail). Rewriting a file always gives
 * it a new file id, and any change to its metadata changes the footer checksum; adding, removing,
 * renaming or reordering files changes the digest too. Opening a dataset reads only the header and
 * tail of each file for this, never the data.
 *
 * <p>The digest is exchanged as 64 lowercase hex characters ({@link #hex()}, {@link #ofHex}).
 */
public final class DatasetFingerprint {
  private static final String DOMAIN = "weft-dataset-fingerprint-v1";

  private final byte[] digest;

  private DatasetFingerprint(byte[] digest) {
    this.digest = digest;
  }

  /** What the fingerprint covers of one file. */
  record FileFacts(String name, long sizeBytes, long rows, byte[] fileId, int footerCrc) {}

  /** Computes the fingerprint of files in dataset order. */
  static DatasetFingerprint compute(List<FileFacts> files) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bytes);
      out.write(DOMAIN.getBytes(StandardCharsets.UTF_8));
      out.writeInt(files.size());
      for (FileFacts f : files) {
        byte[] name = f.name().getBytes(StandardCharsets.UTF_8);
        out.writeInt(name.length);
        out.write(name);
        out.writeLong(f.sizeBytes());
        out.writeLong(f.rows());
        out.write(f.fileId());
        out.writeInt(f.footerCrc());
      }
      out.flush();
      return new DatasetFingerprint(MessageDigest.getInstance("SHA-256").digest(bytes.toByteArray()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Parses a fingerprint from its 64-character hex form, e.g. one stored in a checkpoint.
   *
   * @throws IllegalArgumentException if {@code hex} is not 64 hex digits
   */
  public static DatasetFingerprint ofHex(String hex) {
    Objects.requireNonNull(hex, "hex");
    if (hex.length() != 64) {
      throw new IllegalArgumentException("a dataset fingerprint is 64 hex digits, got " + hex.length()
          + " characters: '" + hex + "'");
    }
    try {
      return new DatasetFingerprint(HexFormat.of().parseHex(hex));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a hex dataset fingerprint: '" + hex + "'", e);
    }
  }

  /** The digest as 64 lowercase hex characters. */
  public String hex() {
    return HexFormat.of().formatHex(digest);
  }

  /** A copy of the 32 digest bytes. */
  public byte[] bytes() {
    return digest.clone();
  }

  /** Digest bytes {@code [8*word, 8*word+8)} as a big-endian long (used to key epoch orders). */
  long prefix(int word) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (digest[word * 8 + i] & 0xFF);
    }
    return v;
  }

  /**
   * Checks that {@code actual} is this fingerprint.
   *
   * @param actual the fingerprint of the data at hand
   * @param what what was made for this fingerprint, for the message (e.g. "the epoch order")
   * @throws FingerprintMismatchException naming both fingerprints
   */
  public void requireMatches(DatasetFingerprint actual, String what) {
    Objects.requireNonNull(actual, "actual");
    if (!equals(actual)) {
      throw new FingerprintMismatchException(this, actual, what);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DatasetFingerprint f && Arrays.equals(digest, f.digest);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(digest);
  }

  /** The hex form. */
  @Override
  public String toString() {
    return hex();
  }
}

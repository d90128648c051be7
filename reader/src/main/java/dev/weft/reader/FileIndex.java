package dev.weft.reader;

import dev.weft.format.Checksums;
import dev.weft.format.Footer;
import dev.weft.index.ColumnBlooms;
import dev.weft.index.ColumnZones;
import dev.weft.index.NameIndex;
import dev.weft.index.StatKind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Lazy access to a 2.1 file's index: the name index root (read once), its chunks, and each
 * column's zone maps and bloom filters, each read and checksummed on first use and cached.
 *
 * <p>Everything here only speeds reading up. A structure whose checksum does not match is
 * treated as absent (the reader then finds columns through the directory and reads the data
 * instead of pruning) and counted in {@link ReaderStats#indexFallbacks()}; it never changes an
 * answer.
 */
final class FileIndex {
  private final FileContext ctx;
  private final Footer footer;
  private final long limit;
  private volatile Optional<NameIndex.Root> root;
  private final ConcurrentHashMap<Integer, Optional<List<NameIndex.Entry>>> chunks = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Optional<ColumnZones>> zones = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Optional<ColumnBlooms>> blooms = new ConcurrentHashMap<>();

  FileIndex(FileContext ctx, Footer footer, long footerOffset) {
    this.ctx = ctx;
    this.footer = footer;
    this.limit = footerOffset;
    this.root = footer.index() == null ? Optional.empty() : null;
  }

  /** Whether the file has a (so far undamaged) name index. */
  boolean present() throws IOException {
    return root().isPresent();
  }

  private Optional<NameIndex.Root> root() throws IOException {
    Optional<NameIndex.Root> r = root;
    if (r == null) {
      Footer.IndexRef ref = footer.index();
      ByteBuffer b = verified(ref.offset(), ref.length(), ref.crc(), "index root");
      r = b == null ? Optional.empty() : Optional.of(NameIndex.decodeRoot(b, ctx.path(), ref.offset(), limit));
      root = r;
    }
    return r;
  }

  /** The bytes of a structure if its checksum matches; otherwise null (counted as a fallback). */
  private ByteBuffer verified(long offset, int length, int crc, String what) throws IOException {
    ByteBuffer b = ctx.file().slice(offset, length);
    ctx.stats().addMetadata(length);
    if (Checksums.crc32c(b) != crc) {
      ctx.stats().addIndexFallback();
      return null;
    }
    return b;
  }

  /**
   * The name index entry of a column: {@code Optional.empty()} if the file has no usable name
   * index (use the directory), an entry whose column is -1 if the index says there is no such
   * column.
   */
  Optional<NameIndex.Entry> lookup(String name) throws IOException {
    Optional<NameIndex.Root> r = root();
    if (r.isEmpty()) {
      return Optional.empty();
    }
    int c = r.get().chunkFor(name);
    if (c < 0) {
      return Optional.of(missing(name));
    }
    Optional<List<NameIndex.Entry>> chunk = chunks.get(c);
    if (chunk == null) {
      NameIndex.Ref ref = r.get().chunks().get(c).ref();
      ByteBuffer b = verified(ref.offset(), ref.length(), ref.crc(), "name chunk");
      chunk = b == null ? Optional.empty()
          : Optional.of(NameIndex.decodeChunk(b, ctx.path(), ref.offset(), limit, footer.numColumns()));
      chunks.put(c, chunk);
    }
    if (chunk.isEmpty()) {
      return Optional.empty();
    }
    NameIndex.Entry e = NameIndex.find(chunk.get(), name);
    return Optional.of(e != null ? e : missing(name));
  }

  private static NameIndex.Entry missing(String name) {
    return new NameIndex.Entry(name, -1, null, NameIndex.Ref.NONE, NameIndex.Ref.NONE);
  }

  /** A column's zone maps, or empty if the file has none for it (or they are damaged). */
  Optional<ColumnZones> zones(String column, StatKind kind) throws IOException {
    Optional<ColumnZones> z = zones.get(column);
    if (z == null) {
      z = Optional.empty();
      Optional<NameIndex.Entry> e = lookup(column);
      if (e.isPresent() && e.get().zones().present()) {
        NameIndex.Ref ref = e.get().zones();
        ByteBuffer b = verified(ref.offset(), ref.length(), ref.crc(), "zone map");
        if (b != null) {
          z = Optional.of(ColumnZones.decode(b, ctx.path(), column, ref.offset(), kind, footer.rowGroups(),
              footer.numRows()));
        }
      }
      zones.put(column, z);
    }
    return z;
  }

  /** A column's bloom filters, or empty. */
  Optional<ColumnBlooms> blooms(String column) throws IOException {
    Optional<ColumnBlooms> f = blooms.get(column);
    if (f == null) {
      f = Optional.empty();
      Optional<NameIndex.Entry> e = lookup(column);
      if (e.isPresent() && e.get().blooms().present()) {
        NameIndex.Ref ref = e.get().blooms();
        ByteBuffer b = verified(ref.offset(), ref.length(), ref.crc(), "bloom filter");
        if (b != null) {
          f = Optional.of(ColumnBlooms.decode(b, ctx.path(), column, ref.offset(), footer.rowGroups().size()));
        }
      }
      blooms.put(column, f);
    }
    return f;
  }
}

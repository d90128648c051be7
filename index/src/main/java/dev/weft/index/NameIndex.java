package dev.weft.index;

import dev.weft.format.ColumnDirectory;
import dev.weft.format.CorruptFileException;
import dev.weft.format.MetaInput;
import dev.weft.format.MetaOutput;
import dev.weft.format.WeftFormat;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The 2.1 name index: every column's name with where its metadata, zone maps and bloom filters
 * are, sorted by name and cut into checksummed chunks of {@link #NAMES_PER_CHUNK} names, found
 * through a small root that lists each chunk's first name. Looking up a name reads the root once
 * and one chunk, so opening and projecting k of N columns reads O(N / 32 + 32 k) bytes of names
 * instead of the whole column directory.
 *
 * <pre>
 * IndexRoot --&gt; ZoneRows u32, NumChunks u32, ChunkRef^NumChunks
 * ChunkRef  --&gt; ChunkOffset u64, ChunkLength u32, ChunkCrc u32, FirstNameLength u32, FirstName utf8
 * NameChunk --&gt; NumEntries u32, NameEntry^NumEntries
 * NameEntry --&gt; NameLength u32, Name utf8, Column u32, MetaOffset u64, MetaLength u32, MetaCrc u32,
 *               ZonesOffset u64, ZonesLength u32, ZonesCrc u32, BloomOffset u64, BloomLength u32, BloomCrc u32
 * </pre>
 *
 * A length of 0 means the structure is absent.
 */
public final class NameIndex {
  public static final int NAMES_PER_CHUNK = 32;

  private NameIndex() {}

  /** Where one checksummed structure is. */
  public record Ref(long offset, int length, int crc) {
    public static final Ref NONE = new Ref(0, 0, 0);

    public boolean present() {
      return length != 0;
    }
  }

  /** One column's entry. */
  public record Entry(String name, int column, ColumnDirectory.Entry meta, Ref zones, Ref blooms) {}

  /** One chunk of the root: where it is and its first name. */
  public record ChunkRef(Ref ref, byte[] firstName) {}

  /** The decoded root. */
  public record Root(int zoneRows, List<ChunkRef> chunks) {
    /** The chunk that would hold {@code name}, or -1. */
    public int chunkFor(String name) {
      byte[] key = name.getBytes(StandardCharsets.UTF_8);
      int lo = 0;
      int hi = chunks.size() - 1;
      int found = -1;
      while (lo <= hi) {
        int mid = (lo + hi) >>> 1;
        if (Arrays.compareUnsigned(chunks.get(mid).firstName(), key) <= 0) {
          found = mid;
          lo = mid + 1;
        } else {
          hi = mid - 1;
        }
      }
      return found;
    }
  }

  /** Writes bytes 8-aligned and returns their offset. */
  public interface Sink {
    long write(byte[] bytes) throws java.io.IOException;
  }

  static byte[] encodeChunk(List<Entry> entries) {
    MetaOutput out = new MetaOutput(16 + entries.size() * 80);
    out.u32(entries.size());
    for (Entry e : entries) {
      byte[] n = e.name().getBytes(StandardCharsets.UTF_8);
      out.u32(n.length).bytes(n).u32(e.column());
      out.u64(e.meta().metaOffset()).u32(e.meta().metaLength()).u32(e.meta().metaCrc());
      ref(out, e.zones());
      ref(out, e.blooms());
    }
    return out.toByteArray();
  }

  private static void ref(MetaOutput out, Ref r) {
    out.u64(r.offset()).u32(r.length()).u32(r.crc());
  }

  /** Entries by their names' UTF-8 bytes, unsigned (a class: no lambda to link when a file closes). */
  private static final java.util.Comparator<Entry> BY_NAME_BYTES = new java.util.Comparator<Entry>() {
    @Override
    public int compare(Entry a, Entry b) {
      return Arrays.compareUnsigned(a.name().getBytes(StandardCharsets.UTF_8), b.name().getBytes(StandardCharsets.UTF_8));
    }
  };

  /** Writes chunks and root for {@code entries} (any order) and returns the root's location. */
  static Ref write(List<Entry> entries, int zoneRows, Sink sink) throws java.io.IOException {
    List<Entry> sorted = new ArrayList<>(entries);
    sorted.sort(BY_NAME_BYTES);
    MetaOutput root = new MetaOutput(64 + entries.size());
    int chunks = (sorted.size() + NAMES_PER_CHUNK - 1) / NAMES_PER_CHUNK;
    root.u32(zoneRows).u32(chunks);
    for (int i = 0; i < sorted.size(); i += NAMES_PER_CHUNK) {
      List<Entry> part = sorted.subList(i, Math.min(sorted.size(), i + NAMES_PER_CHUNK));
      byte[] chunk = encodeChunk(part);
      long off = sink.write(chunk);
      byte[] first = part.get(0).name().getBytes(StandardCharsets.UTF_8);
      root.u64(off).u32(chunk.length).u32(crc(chunk)).u32(first.length).bytes(first);
    }
    byte[] r = root.toByteArray();
    long off = sink.write(r);
    return new Ref(off, r.length, crc(r));
  }

  static int crc(byte[] b) {
    return dev.weft.format.Checksums.crc32c(b, 0, b.length);
  }

  /** Parses a root whose checksum was verified; chunk locations must lie in {@code [32, limit]}. */
  public static Root decodeRoot(ByteBuffer bytes, Path file, long offset, long limit) throws CorruptFileException {
    MetaInput in = new MetaInput(bytes, file, null, offset);
    int zoneRows = in.u32In("zone rows", 0, Integer.MAX_VALUE);
    int n = in.count("name chunk count", 20);
    List<ChunkRef> chunks = new ArrayList<>(n);
    byte[] prev = null;
    for (int i = 0; i < n; i++) {
      Ref r = readRef(in, limit, "name chunk");
      if (!r.present()) {
        throw in.corrupt("name chunk " + i + " is empty");
      }
      int len = in.count("first name length", 1);
      byte[] first = in.bytes(len, "first name");
      if (prev != null && Arrays.compareUnsigned(prev, first) > 0) {
        throw in.corrupt("name chunks are not sorted by name");
      }
      prev = first;
      chunks.add(new ChunkRef(r, first));
    }
    return new Root(zoneRows, List.copyOf(chunks));
  }

  /** Parses a chunk whose checksum was verified. */
  public static List<Entry> decodeChunk(ByteBuffer bytes, Path file, long offset, long limit, int numColumns)
      throws CorruptFileException {
    MetaInput in = new MetaInput(bytes, file, null, offset);
    int n = in.count("name entry count", 56);
    if (n == 0) {
      throw in.corrupt("name chunk without names");
    }
    List<Entry> out = new ArrayList<>(n);
    byte[] prev = null;
    for (int i = 0; i < n; i++) {
      int len = in.count("name length", 1);
      byte[] name = in.bytes(len, "name");
      if (prev != null && Arrays.compareUnsigned(prev, name) >= 0) {
        throw in.corrupt("names in a name chunk are not strictly ascending");
      }
      prev = name;
      int column = in.u32In("column index", 0, numColumns - 1L);
      long metaOffset = in.u64In("metadata offset", WeftFormat.HEADER_LENGTH, limit);
      int metaLength = in.u32In("metadata length", 1, limit - metaOffset);
      int metaCrc = in.rawU32("metadata checksum");
      Ref zones = readRef(in, limit, "zone map");
      Ref blooms = readRef(in, limit, "bloom filter");
      out.add(new Entry(new String(name, StandardCharsets.UTF_8), column,
          new ColumnDirectory.Entry(metaOffset, metaLength, metaCrc), zones, blooms));
    }
    if (in.remaining() != 0) {
      throw in.corrupt(in.remaining() + " stray bytes after the name chunk");
    }
    return out;
  }

  private static Ref readRef(MetaInput in, long limit, String what) throws CorruptFileException {
    long off = in.u64In(what + " offset", 0, limit);
    int len = in.u32In(what + " length", 0, limit - off);
    int crc = in.rawU32(what + " checksum");
    if (len != 0 && off < WeftFormat.HEADER_LENGTH) {
      throw in.corrupt(what + " offset " + off + " lies inside the header");
    }
    return new Ref(off, len, crc);
  }

  /** The entry named {@code name} in a decoded chunk, or null. */
  public static Entry find(List<Entry> chunk, String name) {
    byte[] key = name.getBytes(StandardCharsets.UTF_8);
    int lo = 0;
    int hi = chunk.size() - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = Arrays.compareUnsigned(chunk.get(mid).name().getBytes(StandardCharsets.UTF_8), key);
      if (c == 0) {
        return chunk.get(mid);
      } else if (c < 0) {
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return null;
  }
}

package dev.weft.cli.parquet;

import dev.weft.cli.parquet.Col.Leaf;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BaseLargeVariableWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.NullVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.Dictionary;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;

/**
 * Reads the triples (repetition level, definition level, value) of one Parquet leaf column, a
 * batch of records at a time, into an Arrow vector: one slot per triple whose innermost list
 * element exists, null where the definition level is below the maximum. The levels are kept
 * for the batch when an ancestor (struct, list) needs them.
 */
final class LeafReader {
  /** How a Parquet physical value becomes an Arrow value. */
  enum Kind {
    BOOL, INT8, INT16, INT32, INT64, FLOAT, DOUBLE, INT96_NANOS, DECIMAL_FROM_INT32, DECIMAL_FROM_INT64,
    DECIMAL_FROM_BYTES, FLOAT16, FIXED, VAR, LARGE_VAR, NULL
  }

  private static final long JULIAN_EPOCH_DAY = 2_440_588L;
  private static final long NANOS_PER_DAY = 86_400_000_000_000L;

  final Leaf leaf;
  private final Path file;
  private final Kind kind;
  private final int byteWidth; // FIXED, decimal width (16 or 32)
  private final int maxDef;
  private final int maxRep;
  private final int ancDef;
  private final boolean keepLevels;

  private ColumnReader reader;
  /** The fast path for flat numbers and strings (null where it does not apply), and whether the row group uses it. */
  private final FlatColumnReader fast;
  private boolean useFast;
  /** Where the column reader delivers flat string values (null: values are read with getBinary). */
  private final ValueSink sink;
  private long total;
  private long consumed;
  private int rowGroup;
  private double valuesPerRecord = 1;
  private double bytesPerValue = 8;

  /** Levels of the last batch (when kept). */
  short[] defs = new short[0];
  short[] reps = new short[0];
  int levelCount;
  /** Slots written into the vector by the last batch. */
  int slots;
  /** Where flat reads on the fast path take arrays for dictionary ids ({@link #lastIds}); null: no ids. */
  IdArrays idArrays;
  /** The dictionary ids of the last batch (flat columns on the fast path with a dictionary), or null. */
  DictionaryIds lastIds;
  /** Whether string values may stay in the dictionary (see {@link BatchReader.Options#withDeferredValues}). */
  boolean deferValues;

  LeafReader(Leaf leaf, Path file, boolean fastPath) {
    this.leaf = leaf;
    this.file = file;
    this.maxDef = leaf.maxDef;
    this.maxRep = leaf.maxRep;
    this.ancDef = leaf.ancDef;
    this.keepLevels = leaf.keepLevels || leaf.maxRep > 0;
    ArrowType t = leaf.field.getType();
    PrimitiveTypeName p = leaf.desc.getPrimitiveType().getPrimitiveTypeName();
    int width = 0;
    Kind k;
    if (t instanceof ArrowType.Null) {
      k = Kind.NULL;
    } else if (p == PrimitiveTypeName.BOOLEAN) {
      k = Kind.BOOL;
    } else if (t instanceof ArrowType.Decimal d) {
      width = d.getBitWidth() / 8;
      k = switch (p) {
        case INT32 -> Kind.DECIMAL_FROM_INT32;
        case INT64 -> Kind.DECIMAL_FROM_INT64;
        default -> Kind.DECIMAL_FROM_BYTES;
      };
    } else if (p == PrimitiveTypeName.INT32) {
      int bits = t instanceof ArrowType.Int i ? i.getBitWidth() : 32;
      k = bits == 8 ? Kind.INT8 : bits == 16 ? Kind.INT16 : Kind.INT32;
    } else if (p == PrimitiveTypeName.INT64) {
      k = Kind.INT64;
    } else if (p == PrimitiveTypeName.INT96) {
      k = Kind.INT96_NANOS;
    } else if (p == PrimitiveTypeName.FLOAT) {
      k = Kind.FLOAT;
    } else if (p == PrimitiveTypeName.DOUBLE) {
      k = Kind.DOUBLE;
    } else if (t instanceof ArrowType.FloatingPoint) {
      k = Kind.FLOAT16;
    } else if (t instanceof ArrowType.FixedSizeBinary f) {
      k = Kind.FIXED;
      width = f.getByteWidth();
    } else if (t instanceof ArrowType.LargeUtf8 || t instanceof ArrowType.LargeBinary) {
      k = Kind.LARGE_VAR;
    } else {
      k = Kind.VAR;
    }
    this.kind = k;
    this.byteWidth = width;
    this.sink = maxRep == 0 && (k == Kind.VAR || k == Kind.LARGE_VAR) ? new ValueSink() : null;
    this.fast = fastPath ? FlatColumnReader.create(leaf, file, k) : null;
  }

  /**
   * Starts a row group: with the fast path where it takes the column chunk (see
   * {@link FlatColumnReader#accepts}), else with parquet-java's column reader from {@code store}.
   */
  void startRowGroup(org.apache.parquet.column.page.PageReadStore pages,
      org.apache.parquet.column.ColumnReadStore store, org.apache.parquet.hadoop.metadata.ColumnChunkMetaData chunk,
      int rowGroup, long rows, long uncompressedBytes) throws ParquetFormatException {
    useFast = fast != null && FlatColumnReader.accepts(chunk);
    if (useFast) {
      this.reader = null;
      this.rowGroup = rowGroup;
      fast.startRowGroup(pages.getPageReader(leaf.desc), rowGroup, rows, uncompressedBytes);
    } else {
      startRowGroup(store.getColumnReader(leaf.desc), rowGroup, rows, uncompressedBytes);
    }
  }

  /**
   * The converter parquet-java's column reader gets for this leaf: for flat string and binary
   * columns one that takes dictionary ids, so that a dictionary-encoded page's values are copied
   * from the dictionary decoded once per row group instead of one Binary (and ByteBuffer) each.
   */
  PrimitiveConverter converter() {
    if (sink == null) {
      return new PrimitiveConverter() {};
    }
    sink.setDictionary(null); // a new row group: its column reader sets its own dictionary, if any
    return sink;
  }

  /** Receives one value at a time from {@link ColumnReader#writeCurrentValueToConverter()}. */
  static final class ValueSink extends PrimitiveConverter {
    private Dictionary dictionary;
    /** The dictionary's values back to back, and where each starts (one more entry: the end). */
    byte[] dictBytes;
    int[] dictStarts;
    /** The last value: a dictionary id, or -1 and a Binary. */
    int id = -1;
    Binary binary;

    @Override
    public boolean hasDictionarySupport() {
      return true;
    }

    @Override
    public void setDictionary(Dictionary d) {
      dictionary = d;
      dictBytes = null;
      dictStarts = null;
    }

    @Override
    public void addValueFromDictionary(int dictionaryId) {
      id = dictionaryId;
    }

    @Override
    public void addBinary(Binary value) {
      id = -1;
      binary = value;
    }

    /** Decodes the dictionary into {@link #dictBytes} (once per row group, on first use). */
    void decodeDictionary() {
      if (dictBytes != null || dictionary == null) {
        return;
      }
      int n = dictionary.getMaxId() + 1;
      int[] starts = new int[n + 1];
      long total = 0;
      for (int i = 0; i < n; i++) {
        starts[i] = (int) total;
        total += dictionary.decodeToBinary(i).length();
        if (total > Integer.MAX_VALUE - 16) {
          throw new IllegalStateException("a dictionary of more than 2 GiB");
        }
      }
      starts[n] = (int) total;
      byte[] bytes = new byte[(int) total];
      for (int i = 0; i < n; i++) {
        Binary b = dictionary.decodeToBinary(i);
        ByteBuffer bb = b.toByteBuffer();
        bb.get(bytes, starts[i], starts[i + 1] - starts[i]);
      }
      dictStarts = starts;
      dictBytes = bytes;
    }

    /** Byte length of the last value (decodes the dictionary first if the value is an id into it). */
    int currentLength() {
      if (id < 0) {
        return binary.length();
      }
      if (dictBytes == null) {
        decodeDictionary();
      }
      return dictStarts[id + 1] - dictStarts[id];
    }

    /** Copies the last value, {@code len} bytes as {@link #currentLength()} returned, to {@code data} at {@code pos}. */
    void copyCurrent(ArrowBuf data, long pos, int len) {
      if (id >= 0) {
        data.setBytes(pos, dictBytes, dictStarts[id], len);
      } else {
        ByteBuffer bb = binary.toByteBuffer();
        data.setBytes(pos, bb, bb.position(), len);
      }
    }
  }

  /** Starts a row group: the reader of this column and its size statistics. */
  @SuppressWarnings("deprecation") // getTotalValueCount: the column chunk's value count, what we need
  void startRowGroup(ColumnReader reader, int rowGroup, long rows, long uncompressedBytes) {
    this.reader = reader;
    this.rowGroup = rowGroup;
    this.total = reader.getTotalValueCount();
    this.consumed = 0;
    this.valuesPerRecord = rows > 0 ? Math.max(1.0, (double) total / rows) : 1;
    this.bytesPerValue = total > 0 ? Math.max(1.0, (double) uncompressedBytes / total) : 8;
  }

  /** Values left in the current row group's column chunk. */
  long remaining() {
    if (useFast) {
      return fast.remaining();
    }
    return total - consumed;
  }

  /** The fast path gives the arrays of decompressed pages back to {@code codecs} once read. */
  void recyclePages(PageCodecs codecs) {
    if (fast != null) {
      fast.recyclePages(codecs);
    }
  }

  /** Flat reads on the fast path take their vectors' buffers from {@code pool} (see {@link FlatColumnReader#usePool}). */
  void usePool(BufferPool pool) {
    if (fast != null) {
      fast.usePool(pool, leaf.columnIndex * 4);
    }
  }

  /** Reads the next {@code n} records into {@code v} (a fresh, empty vector of this leaf's field). */
  void read(int n, FieldVector v) throws ParquetFormatException {
    if (maxRep == 0) {
      readFlat(n, v);
    } else {
      readNested(n, v);
    }
  }

  // -------------------------------------------------------------------------------------
  // flat columns: one triple per record and per slot

  private void readFlat(int n, FieldVector v) throws ParquetFormatException {
    lastIds = null;
    if (useFast) {
      if (keepLevels) {
        ensureLevels(n);
      }
      int[] ids = idArrays != null && fast.hasDictionary() ? idArrays.take(n) : null;
      boolean deferred = fast.read(n, v, keepLevels ? defs : null, ids, deferValues);
      if (ids != null) {
        lastIds = deferred
            ? new DictionaryIds(fast.dictionaryScope(), fast.dictionarySize(), ids, fast.dictionaryBytes(),
                fast.dictionaryStarts())
            : new DictionaryIds(fast.dictionaryScope(), fast.dictionarySize(), ids);
      }
      levelCount = n;
      slots = n;
      return;
    }
    if (total - consumed < n) {
      throw corrupt("it holds " + (consumed + (total - consumed)) + " values but its row group has more rows");
    }
    if (keepLevels) {
      ensureLevels(n);
    }
    final ColumnReader cr = reader;
    final int md = maxDef;
    final boolean keep = keepLevels;
    final short[] ds = defs;
    switch (kind) {
      case INT64, DOUBLE, INT32, FLOAT -> {
        BaseFixedWidthVector fv = (BaseFixedWidthVector) v;
        fv.allocateNew(n);
        ArrowBuf data = fv.getDataBuffer();
        ArrowBuf valid = fv.getValidityBuffer();
        for (int i = 0; i < n; i++) {
          int d = cr.getCurrentDefinitionLevel();
          if (keep) {
            ds[i] = (short) d;
          }
          if (d == md) {
            switch (kind) {
              case INT64 -> data.setLong((long) i << 3, cr.getLong());
              case DOUBLE -> data.setDouble((long) i << 3, cr.getDouble());
              case INT32 -> data.setInt((long) i << 2, cr.getInteger());
              default -> data.setFloat((long) i << 2, cr.getFloat());
            }
            BitVectorHelper.setBit(valid, i);
          } else if (d > md) {
            throw badLevel(d, 0);
          }
          cr.consume();
        }
        fv.setValueCount(n);
      }
      case VAR -> readFlatVar(n, (BaseVariableWidthVector) v);
      case LARGE_VAR -> readFlatLargeVar(n, (BaseLargeVariableWidthVector) v);
      default -> {
        prepare(v, n);
        for (int i = 0; i < n; i++) {
          int d = cr.getCurrentDefinitionLevel();
          if (keep) {
            ds[i] = (short) d;
          }
          if (d == md) {
            put(v, i);
          } else if (d > md) {
            throw badLevel(d, 0);
          }
          cr.consume();
        }
        finish(v, n);
      }
    }
    consumed += n;
    levelCount = n;
    slots = n;
  }

  private void readFlatVar(int n, BaseVariableWidthVector v) throws ParquetFormatException {
    final ColumnReader cr = reader;
    final int md = maxDef;
    final boolean keep = keepLevels;
    final short[] ds = defs;
    long estimate = Math.min(Integer.MAX_VALUE - 1, Math.max(1024, (long) (n * bytesPerValue * 1.1)));
    v.allocateNew(estimate, n);
    ArrowBuf offsets = v.getOffsetBuffer();
    ArrowBuf data = v.getDataBuffer();
    ArrowBuf valid = v.getValidityBuffer();
    long pos = 0;
    for (int i = 0; i < n; i++) {
      offsets.setInt((long) i << 2, (int) pos);
      int d = cr.getCurrentDefinitionLevel();
      if (keep) {
        ds[i] = (short) d;
      }
      if (d == md) {
        cr.writeCurrentValueToConverter();
        int len = sink.currentLength();
        if (pos + len > data.capacity()) {
          if (pos + len > Integer.MAX_VALUE) {
            throw new ParquetFormatException.TooLarge(file, "column " + leaf.path() + ": more than 2 GiB of values"
                + " in one batch; lower --memory-budget or the batch size");
          }
          long want = Math.max(data.capacity() * 2, pos + len);
          v.reallocDataBuffer(Math.min(want, Integer.MAX_VALUE));
          data = v.getDataBuffer();
        }
        sink.copyCurrent(data, pos, len);
        BitVectorHelper.setBit(valid, i);
        pos += len;
      } else if (d > md) {
        throw badLevel(d, 0);
      }
      cr.consume();
    }
    offsets.setInt((long) n << 2, (int) pos);
    v.setLastSet(n - 1);
    v.setValueCount(n);
  }

  private void readFlatLargeVar(int n, BaseLargeVariableWidthVector v) throws ParquetFormatException {
    final ColumnReader cr = reader;
    final int md = maxDef;
    final boolean keep = keepLevels;
    final short[] ds = defs;
    v.allocateNew(Math.max(1024, (long) (n * bytesPerValue * 1.1)), n);
    ArrowBuf offsets = v.getOffsetBuffer();
    ArrowBuf data = v.getDataBuffer();
    ArrowBuf valid = v.getValidityBuffer();
    long pos = 0;
    for (int i = 0; i < n; i++) {
      offsets.setLong((long) i << 3, pos);
      int d = cr.getCurrentDefinitionLevel();
      if (keep) {
        ds[i] = (short) d;
      }
      if (d == md) {
        cr.writeCurrentValueToConverter();
        int len = sink.currentLength();
        while (pos + len > data.capacity()) {
          v.reallocDataBuffer();
          data = v.getDataBuffer();
        }
        sink.copyCurrent(data, pos, len);
        BitVectorHelper.setBit(valid, i);
        pos += len;
      } else if (d > md) {
        throw badLevel(d, 0);
      }
      cr.consume();
    }
    offsets.setLong((long) n << 3, pos);
    v.setLastSet(n - 1);
    v.setValueCount(n);
  }

  // -------------------------------------------------------------------------------------
  // nested columns: records end where the repetition level is 0

  private void readNested(int n, FieldVector v) throws ParquetFormatException {
    final ColumnReader cr = reader;
    int cap = (int) Math.min(Integer.MAX_VALUE - 8, Math.max(16, (long) (n * valuesPerRecord * 1.1) + 8));
    prepare(v, cap);
    ensureLevels(cap);
    int records = 0;
    int t = 0;
    int slot = 0;
    while (consumed < total) {
      int r = cr.getCurrentRepetitionLevel();
      if (r == 0) {
        if (records == n) {
          break;
        }
        records++;
      } else if (records == 0) {
        throw corrupt("the repetition level at the start of a record must be 0 but is " + r);
      }
      int d = cr.getCurrentDefinitionLevel();
      if (d > maxDef || d < 0 || r > maxRep || r < 0) {
        throw badLevel(d, r);
      }
      if (t == defs.length) {
        ensureLevels(t + 1);
      }
      defs[t] = (short) d;
      reps[t] = (short) r;
      t++;
      if (d >= ancDef) {
        if (d == maxDef) {
          ensureCapacity(v, slot);
          put(v, slot);
        }
        slot++;
      }
      cr.consume();
      consumed++;
    }
    if (records < n) {
      throw corrupt("it ends after " + records + " of the " + n + " rows requested from its row group");
    }
    finish(v, slot);
    levelCount = t;
    slots = slot;
  }

  private void ensureLevels(int n) {
    if (defs.length < n) {
      int size = Math.max(n, (int) Math.min(Integer.MAX_VALUE - 8, defs.length * 2L));
      defs = Arrays.copyOf(defs, size);
      reps = Arrays.copyOf(reps, size);
    }
  }

  // -------------------------------------------------------------------------------------
  // generic value path

  private void prepare(FieldVector v, int capacity) {
    switch (kind) {
      case NULL -> {
      }
      case VAR -> ((BaseVariableWidthVector) v).allocateNew(
          Math.min(Integer.MAX_VALUE - 1, Math.max(1024, (long) (capacity * bytesPerValue))), capacity);
      case LARGE_VAR -> ((BaseLargeVariableWidthVector) v).allocateNew(
          Math.max(1024, (long) (capacity * bytesPerValue)), capacity);
      default -> ((BaseFixedWidthVector) v).allocateNew(capacity);
    }
  }

  private void ensureCapacity(FieldVector v, int slot) {
    if (kind == Kind.NULL || kind == Kind.VAR || kind == Kind.LARGE_VAR) {
      return; // setSafe grows them
    }
    BaseFixedWidthVector fv = (BaseFixedWidthVector) v;
    while (slot >= fv.getValueCapacity()) {
      fv.reAlloc();
    }
  }

  private void finish(FieldVector v, int count) {
    if (v instanceof NullVector nv) {
      nv.setValueCount(count);
      return;
    }
    if (v instanceof BaseFixedWidthVector fv) {
      while (count > fv.getValueCapacity()) {
        fv.reAlloc(); // trailing nulls beyond the capacity
      }
    }
    v.setValueCount(count);
  }

  private void put(FieldVector v, int slot) throws ParquetFormatException {
    ColumnReader cr = reader;
    switch (kind) {
      case NULL -> {
        return; // a value in a column of the null type: there is nothing to keep
      }
      case BOOL -> ((BitVector) v).set(slot, cr.getBoolean() ? 1 : 0);
      case INT8 -> fixed(v).getDataBuffer().setByte(slot, (byte) cr.getInteger());
      case INT16 -> fixed(v).getDataBuffer().setShort((long) slot << 1, (short) cr.getInteger());
      case INT32 -> fixed(v).getDataBuffer().setInt((long) slot << 2, cr.getInteger());
      case INT64 -> fixed(v).getDataBuffer().setLong((long) slot << 3, cr.getLong());
      case FLOAT -> fixed(v).getDataBuffer().setFloat((long) slot << 2, cr.getFloat());
      case DOUBLE -> fixed(v).getDataBuffer().setDouble((long) slot << 3, cr.getDouble());
      case INT96_NANOS -> {
        Binary b = cr.getBinary();
        if (b.length() != 12) {
          throw corrupt("an INT96 value has " + b.length() + " bytes");
        }
        ByteBuffer bb = b.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        long nanosOfDay = bb.getLong(bb.position());
        long julianDay = Integer.toUnsignedLong(bb.getInt(bb.position() + 8));
        fixed(v).getDataBuffer().setLong((long) slot << 3, (julianDay - JULIAN_EPOCH_DAY) * NANOS_PER_DAY + nanosOfDay);
      }
      case DECIMAL_FROM_INT32 -> putDecimal(v, slot, cr.getInteger());
      case DECIMAL_FROM_INT64 -> putDecimal(v, slot, cr.getLong());
      case DECIMAL_FROM_BYTES -> putDecimalBytes(v, slot, cr.getBinary());
      case FLOAT16 -> {
        Binary b = cr.getBinary();
        if (b.length() != 2) {
          throw corrupt("a FLOAT16 value has " + b.length() + " bytes");
        }
        ByteBuffer bb = b.toByteBuffer();
        int lo = bb.get(bb.position()) & 0xff;
        int hi = bb.get(bb.position() + 1) & 0xff;
        fixed(v).getDataBuffer().setShort((long) slot << 1, (short) (lo | (hi << 8)));
      }
      case FIXED -> {
        Binary b = cr.getBinary();
        if (b.length() != byteWidth) {
          throw corrupt("a fixed-length value has " + b.length() + " bytes instead of " + byteWidth);
        }
        ByteBuffer bb = b.toByteBuffer();
        fixed(v).getDataBuffer().setBytes((long) slot * byteWidth, bb, bb.position(), byteWidth);
      }
      case VAR -> {
        Binary b = cr.getBinary();
        ByteBuffer bb = b.toByteBuffer();
        ((BaseVariableWidthVector) v).setSafe(slot, bb, bb.position(), bb.remaining());
        return;
      }
      case LARGE_VAR -> {
        Binary b = cr.getBinary();
        ByteBuffer bb = b.toByteBuffer();
        ((BaseLargeVariableWidthVector) v).setSafe(slot, bb, bb.position(), bb.remaining());
        return;
      }
      default -> throw new IllegalStateException(kind.toString());
    }
    if (kind != Kind.BOOL) {
      BitVectorHelper.setBit(fixed(v).getValidityBuffer(), slot);
    }
  }

  private static BaseFixedWidthVector fixed(FieldVector v) {
    return (BaseFixedWidthVector) v;
  }

  private void putDecimal(FieldVector v, int slot, long value) {
    ArrowBuf data = fixed(v).getDataBuffer();
    long base = (long) slot * byteWidth;
    long sign = value < 0 ? -1L : 0L;
    data.setLong(base, value);
    for (int i = 8; i < byteWidth; i += 8) {
      data.setLong(base + i, sign);
    }
  }

  private void putDecimalBytes(FieldVector v, int slot, Binary b) throws ParquetFormatException {
    ByteBuffer bb = b.toByteBuffer();
    int len = bb.remaining();
    int start = bb.position();
    ArrowBuf data = fixed(v).getDataBuffer();
    long base = (long) slot * byteWidth;
    if (len == 0) {
      for (int i = 0; i < byteWidth; i += 8) {
        data.setLong(base + i, 0);
      }
      return;
    }
    byte signByte = (byte) (bb.get(start) < 0 ? -1 : 0);
    // big-endian two's complement -> little-endian, sign-extended to byteWidth
    int skip = 0;
    if (len > byteWidth) {
      skip = len - byteWidth;
      for (int i = 0; i < skip; i++) {
        if (bb.get(start + i) != signByte) {
          throw corrupt("a decimal value of " + len + " bytes does not fit in " + byteWidth + " bytes");
        }
      }
    }
    int used = len - skip;
    for (int i = 0; i < byteWidth; i++) {
      byte out = i < used ? bb.get(start + len - 1 - i) : signByte;
      data.setByte(base + i, out);
    }
  }

  // -------------------------------------------------------------------------------------

  private ParquetFormatException corrupt(String what) {
    return new ParquetFormatException(file, "corrupt Parquet data in column " + leaf.path() + " (row group "
        + rowGroup + "): " + what);
  }

  private ParquetFormatException badLevel(int d, int r) {
    return corrupt("invalid levels (definition " + d + ", repetition " + r + "; the column's maximum are "
        + maxDef + " and " + maxRep + ")");
  }
}

package dev.weft.cli.parquet;

import dev.weft.cli.parquet.Col.Leaf;
import dev.weft.cli.parquet.LeafReader.Kind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Set;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BaseLargeVariableWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.parquet.bytes.ByteBufferInputStream;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.ValuesType;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DataPageV1;
import org.apache.parquet.column.page.DataPageV2;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.page.PageReader;
import org.apache.parquet.column.values.ValuesReader;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;

/**
 * The fast path of {@link LeafReader} for flat columns (no repetition) of fixed-width numbers
 * (INT32, INT64, FLOAT, DOUBLE copied as they are) and of BYTE_ARRAY strings and binary: it
 * decodes the column chunk's pages itself, straight into the Arrow vector's buffers, a run of
 * values at a time, instead of one value per call through parquet-java's column reader (which
 * costs about a third of a conversion's CPU time).
 *
 * <p>It decodes definition levels in the RLE hybrid encoding, values in PLAIN and
 * PLAIN_/RLE_DICTIONARY (the encodings nearly every writer uses), and takes each other
 * encoding of a page (a BIT_PACKED level, a DELTA or BYTE_STREAM_SPLIT value) from parquet-java's
 * decoder of that encoding. {@link #accepts} picks, per column chunk, whether to use it: only
 * where the chunk lists no other encodings; other chunks go through parquet-java's column reader.
 * Pages come decompressed from parquet-java's page reader. Every count, length and id read from
 * a page is range-checked: corrupt data is a {@link ParquetFormatException}.
 */
final class FlatColumnReader {
  private static final Set<Encoding> FAST_ENCODINGS =
      Set.of(Encoding.PLAIN, Encoding.RLE, Encoding.RLE_DICTIONARY, Encoding.PLAIN_DICTIONARY);
  /** Values decoded per step (the scratch arrays' size). */
  private static final int STEP = 4096;

  private enum Mode { PLAIN, DICT, GENERIC }

  private final Leaf leaf;
  private final Path file;
  private final Kind kind;
  /** Bytes per value of the fixed-width kinds; 0 for strings. */
  private final int width;
  private final int maxDef;
  private final int defWidth;

  private PageReader pages;
  private int rowGroup;
  private long total;
  private long consumed;
  private long levelsInPages;
  private double bytesPerValue = 8;
  /**
   * Value bytes per record of the last batch of strings (0: none yet), kept across row groups:
   * a dictionary-encoded chunk's stored size says little about its values' size, and a data
   * buffer that has to grow costs copies and fresh memory.
   */
  private double observedBytesPerValue;

  // the row group's dictionary: fixed-width values as raw bits, or strings back to back
  private int dictSize = -1;
  private long[] dictFixed;
  private byte[] dictBytes;
  private int[] dictStarts;
  /** Strings: each entry's length, and the longest. */
  private int[] dictLens;
  private int dictMaxLen;

  // the current page
  private int pageLevels;
  private int levelPos;
  private RleHybrid defDecoder;
  private ValuesReader defGeneric;
  private Mode mode;
  private byte[] buf;
  private int valPos;
  private int valEnd;
  private RleHybrid idDecoder;
  private ValuesReader generic;

  private final int[] defScratch = new int[STEP];
  private final int[] idScratch = new int[STEP];

  /**
   * Where the vectors get their buffers (null: {@code allocateNew}, zero-filled), under the keys
   * {@code poolKey} and up; see {@link #usePool}.
   */
  private BufferPool pool;
  private int poolKey;
  /** Where the arrays of decompressed pages go back once read (null: nowhere); see {@link #recyclePages}. */
  private PageCodecs codecs;

  private FlatColumnReader(Leaf leaf, Path file, Kind kind, int width) {
    this.leaf = leaf;
    this.file = file;
    this.kind = kind;
    this.width = width;
    this.maxDef = leaf.maxDef;
    this.defWidth = 32 - Integer.numberOfLeadingZeros(leaf.maxDef);
  }

  /** A fast reader for {@code leaf}, or null where its type or shape is not one it reads. */
  static FlatColumnReader create(Leaf leaf, Path file, Kind kind) {
    if (leaf.maxRep != 0) {
      return null;
    }
    PrimitiveTypeName p = leaf.desc.getPrimitiveType().getPrimitiveTypeName();
    int width = switch (kind) {
      case INT64 -> p == PrimitiveTypeName.INT64 ? 8 : -1;
      case DOUBLE -> p == PrimitiveTypeName.DOUBLE ? 8 : -1;
      case INT32 -> p == PrimitiveTypeName.INT32 ? 4 : -1;
      case FLOAT -> p == PrimitiveTypeName.FLOAT ? 4 : -1;
      case VAR, LARGE_VAR -> p == PrimitiveTypeName.BINARY ? 0 : -1;
      default -> -1;
    };
    return width < 0 ? null : new FlatColumnReader(leaf, file, kind, width);
  }

  /**
   * Takes the buffers of the vectors {@link #read} fills from {@code p} (keys {@code key} to
   * {@code key + 2}) instead of allocating them zero-filled: for vectors whose consumer closes them
   * and never transfers their buffers (see {@link BufferPool}).
   */
  void usePool(BufferPool p, int key) {
    this.pool = p;
    this.poolKey = key;
  }

  /**
   * Gives the array of each page back to {@code c} once it is read (this reader copies what it
   * keeps of a page: the dictionary into arrays of its own, values into the vectors).
   */
  void recyclePages(PageCodecs c) {
    this.codecs = c;
  }

  /** Gives back the current page's array (it is read to its end, or abandoned with its row group). */
  private void releasePage() {
    if (codecs != null && buf != null) {
      codecs.giveBack(buf);
    }
    buf = null;
    generic = null;
    defGeneric = null;
    defDecoder = null;
    idDecoder = null;
  }

  /**
   * Gives {@code v} buffers of the given sizes from the pool, their content undefined, and sets
   * its value count to {@code n}.
   */
  private void loadPooled(FieldVector v, int n, long... sizes) {
    org.apache.arrow.memory.BufferAllocator a = v.getAllocator();
    ArrowBuf[] bufs = new ArrowBuf[sizes.length];
    try {
      for (int i = 0; i < sizes.length; i++) {
        bufs[i] = pool.take(poolKey + i, a, sizes[i]);
      }
      // a validity buffer that is not empty is taken as it is, whatever the null count says
      v.loadFieldBuffers(new org.apache.arrow.vector.ipc.message.ArrowFieldNode(n, 0), java.util.Arrays.asList(bufs));
    } finally {
      for (ArrowBuf b : bufs) {
        if (b != null) {
          b.close(); // the vector holds its own reference
        }
      }
    }
  }

  /** Whether this reader takes the column chunk (else parquet-java's column reader does). */
  static boolean accepts(ColumnChunkMetaData chunk) {
    return chunk != null && FAST_ENCODINGS.containsAll(chunk.getEncodings());
  }

  /** Starts a row group; reads its dictionary page, if any. */
  void startRowGroup(PageReader pages, int rowGroup, long rows, long uncompressedBytes)
      throws ParquetFormatException {
    releasePage();
    this.pages = pages;
    this.rowGroup = rowGroup;
    this.total = pages.getTotalValueCount();
    this.consumed = 0;
    this.levelsInPages = 0;
    this.bytesPerValue = total > 0 ? Math.max(1.0, (double) uncompressedBytes / total) : 8;
    this.pageLevels = 0;
    this.levelPos = 0;
    this.dictSize = -1;
    this.dictFixed = null;
    this.dictBytes = null;
    this.dictStarts = null;
    this.dictLens = null;
    DictionaryPage dp;
    try {
      dp = pages.readDictionaryPage();
    } catch (RuntimeException e) {
      throw corrupt("cannot read its dictionary page: " + ParquetFooter.rootMessage(e));
    }
    if (dp != null) {
      readDictionary(dp);
    }
  }

  /** Whether the current column chunk has a dictionary (its values may come with ids, see {@link #read}). */
  boolean hasDictionary() {
    return dictSize >= 0;
  }

  /** The identity of the current chunk's dictionary (a new object for each chunk), or null. */
  Object dictionaryScope() {
    return dictSize < 0 ? null : width > 0 ? dictFixed : dictBytes;
  }

  /** Entries of the current chunk's dictionary (-1: none). */
  int dictionarySize() {
    return dictSize;
  }

  /**
   * The current chunk's dictionary of strings, back to back (entry i at {@code [starts[i],
   * starts[i + 1])} of {@link #dictionaryStarts}; 8 bytes of slack past the last), or null.
   */
  byte[] dictionaryBytes() {
    return dictBytes;
  }

  /** Where each entry of {@link #dictionaryBytes} starts ({@code size + 1} entries), or null. */
  int[] dictionaryStarts() {
    return dictStarts;
  }

  /** Values left in the current row group's column chunk. */
  long remaining() {
    return total - consumed;
  }

  private void readDictionary(DictionaryPage dp) throws ParquetFormatException {
    if (dp.getEncoding() != Encoding.PLAIN && dp.getEncoding() != Encoding.PLAIN_DICTIONARY) {
      throw corrupt("a dictionary page in the encoding " + dp.getEncoding());
    }
    byte[] b;
    int off;
    int end;
    try {
      ByteBuffer bb = bytes(dp.getBytes());
      b = bb.array();
      off = bb.arrayOffset() + bb.position();
      end = off + bb.remaining();
    } catch (IOException | RuntimeException e) {
      throw corrupt("cannot read its dictionary page: " + ParquetFooter.rootMessage(e));
    }
    int n = dp.getDictionarySize();
    if (n < 0) {
      throw corrupt("a dictionary of " + n + " values");
    }
    if (width > 0) {
      if ((long) n * width > end - off) {
        throw corrupt("a dictionary page of " + (end - off) + " bytes for " + n + " values");
      }
      long[] vals = new long[n];
      for (int i = 0; i < n; i++) {
        vals[i] = width == 8 ? MemoryUtil.getLong(b, off + 8 * i) : MemoryUtil.getInt(b, off + 4 * i);
      }
      dictFixed = vals;
    } else {
      if (n > (end - off) / 4) {
        throw corrupt("a dictionary page of " + (end - off) + " bytes for " + n + " values");
      }
      int[] starts = new int[n + 1];
      // 8 bytes of slack: a value under 8 bytes is copied as one long (see readVar)
      byte[] bytes = new byte[end - off - 4 * n + 8];
      int p = off;
      int at = 0;
      for (int i = 0; i < n; i++) {
        int len = p + 4 <= end ? MemoryUtil.getInt(b, p) : -1;
        // room for this value and the length fields of the values after it
        if (len < 0 || len > end - p - 4 - 4L * (n - 1 - i)) {
          throw corrupt("a dictionary value of a bad length (" + len + ")");
        }
        System.arraycopy(b, p + 4, bytes, at, len);
        starts[i] = at;
        at += len;
        p += 4 + len;
      }
      starts[n] = at;
      dictBytes = bytes;
      dictStarts = starts;
      int[] lens = new int[n];
      int longest = 0;
      for (int i = 0; i < n; i++) {
        lens[i] = starts[i + 1] - starts[i];
        longest = Math.max(longest, lens[i]);
      }
      dictLens = lens;
      dictMaxLen = longest;
    }
    dictSize = n;
    if (codecs != null) {
      codecs.giveBack(b); // copied
    }
  }

  @SuppressWarnings("deprecation") // BytesInput.toByteBuffer: the pages are in memory already
  private static ByteBuffer bytes(BytesInput in) throws IOException {
    ByteBuffer bb = in.toByteBuffer();
    if (bb.hasArray()) {
      return bb;
    }
    byte[] copy = new byte[bb.remaining()];
    bb.duplicate().get(copy);
    return ByteBuffer.wrap(copy);
  }

  /** Moves to the next data page; false at the end of the column chunk. */
  private boolean nextPage() throws ParquetFormatException {
    releasePage();
    DataPage page;
    try {
      page = pages.readPage();
    } catch (RuntimeException e) {
      throw corrupt("cannot read a page: " + ParquetFooter.rootMessage(e));
    }
    if (page == null) {
      return false;
    }
    int levels = page.getValueCount();
    if (levels < 0 || levels > total - levelsInPages) {
      throw corrupt("a page of " + levels + " values where the column chunk has " + (total - levelsInPages)
          + " left");
    }
    levelsInPages += levels;
    try {
      if (page instanceof DataPageV1 v1) {
        ByteBuffer bb = bytes(v1.getBytes());
        byte[] b = bb.array();
        int off = bb.arrayOffset() + bb.position();
        int end = off + bb.remaining();
        int values = off;
        defDecoder = null;
        defGeneric = null;
        if (maxDef > 0) {
          if (v1.getDlEncoding() == Encoding.RLE) {
            if (off + 4 > end) {
              throw corrupt("a page too short for its definition levels");
            }
            int len = MemoryUtil.getInt(b, off);
            if (len < 0 || len > end - off - 4) {
              throw corrupt("definition levels of " + len + " bytes in a page of " + (end - off));
            }
            defDecoder = new RleHybrid(b, off + 4, off + 4 + len, defWidth);
            values = off + 4 + len;
          } else {
            ByteBufferInputStream in = ByteBufferInputStream.wrap(ByteBuffer.wrap(b, off, end - off));
            defGeneric = v1.getDlEncoding().getValuesReader(leaf.desc, ValuesType.DEFINITION_LEVEL);
            defGeneric.initFromPage(levels, in);
            values = (int) (off + in.position());
          }
        }
        startValues(v1.getValueEncoding(), b, values, end, levels);
      } else {
        DataPageV2 v2 = (DataPageV2) page;
        defDecoder = null;
        defGeneric = null;
        if (maxDef > 0) {
          ByteBuffer db = bytes(v2.getDefinitionLevels());
          int off = db.arrayOffset() + db.position();
          defDecoder = new RleHybrid(db.array(), off, off + db.remaining(), defWidth);
        }
        ByteBuffer bb = bytes(v2.getData());
        int off = bb.arrayOffset() + bb.position();
        startValues(v2.getDataEncoding(), bb.array(), off, off + bb.remaining(), levels);
      }
    } catch (RleHybrid.CorruptException e) {
      throw corrupt(e.getMessage());
    } catch (IOException | RuntimeException e) {
      throw corrupt("cannot decode a page: " + ParquetFooter.rootMessage(e));
    }
    pageLevels = levels;
    levelPos = 0;
    return true;
  }

  private void startValues(Encoding enc, byte[] b, int off, int end, int levels)
      throws RleHybrid.CorruptException, IOException, ParquetFormatException {
    buf = b;
    valPos = off;
    valEnd = end;
    idDecoder = null;
    generic = null;
    if (enc == Encoding.PLAIN) {
      mode = Mode.PLAIN;
    } else if (enc == Encoding.RLE_DICTIONARY || enc == Encoding.PLAIN_DICTIONARY) {
      if (dictSize < 0) {
        throw corrupt("a dictionary-encoded page without a dictionary page");
      }
      if (off >= end) {
        // a page of nulls only may hold no ids at all
        idDecoder = new RleHybrid(b, off, end, 0);
      } else {
        idDecoder = new RleHybrid(b, off + 1, end, b[off] & 0xFF);
      }
      mode = Mode.DICT;
    } else if (enc.usesDictionary()) {
      throw corrupt("values in the encoding " + enc);
    } else {
      generic = enc.getValuesReader(leaf.desc, ValuesType.VALUES);
      generic.initFromPage(levels, ByteBufferInputStream.wrap(ByteBuffer.wrap(b, off, end - off)));
      mode = Mode.GENERIC;
    }
  }

  /**
   * Reads the next {@code n} records (one value or null each) into {@code v}, a fresh vector of
   * this leaf's field; their definition levels into {@code defsOut} when it is not null.
   */
  void read(int n, FieldVector v, short[] defsOut) throws ParquetFormatException {
    read(n, v, defsOut, null);
  }

  /**
   * As above; also writes each record's dictionary id into {@code idsOut[0, n)} (when not null):
   * the index into the chunk's dictionary of a value from a dictionary-encoded page, -1 for a
   * null or a value from a page stored otherwise (writers fall back to PLAIN pages when the
   * dictionary grows too large).
   */
  void read(int n, FieldVector v, short[] defsOut, int[] idsOut) throws ParquetFormatException {
    read(n, v, defsOut, idsOut, false);
  }

  /**
   * As above; with {@code defer} (and {@code idsOut}), strings whose every row of the batch comes
   * from dictionary-encoded pages are left in the dictionary: {@code v} gets its validity and
   * offsets, but its data buffer is not written (each non-null row's bytes are its id's entry of
   * {@link #dictionaryBytes}). Returns whether it did so; a batch that meets a page stored
   * without the dictionary gets its bytes after all (false).
   */
  boolean read(int n, FieldVector v, short[] defsOut, int[] idsOut, boolean defer) throws ParquetFormatException {
    if (total - consumed < n) {
      throw corrupt("it holds " + total + " values but its row group has more rows");
    }
    boolean deferred = false;
    try {
      if (width > 0) {
        readFixed(n, (BaseFixedWidthVector) v, defsOut, idsOut);
      } else {
        deferred = readVar(n, v, defsOut, idsOut, defer && idsOut != null && dictSize >= 0);
      }
    } catch (RleHybrid.CorruptException e) {
      throw corrupt(e.getMessage());
    } catch (ParquetFormatException | org.apache.arrow.memory.OutOfMemoryException e) {
      throw e;
    } catch (RuntimeException e) {
      throw corrupt("cannot decode a page: " + ParquetFooter.rootMessage(e));
    }
    consumed += n;
    return deferred;
  }

  /** Fills {@code defScratch[0, k)} with the next {@code k} levels; returns how many are nulls. */
  private int levels(int k, short[] defsOut, int at) throws RleHybrid.CorruptException, ParquetFormatException {
    if (maxDef == 0) {
      if (defsOut != null) {
        java.util.Arrays.fill(defsOut, at, at + k, (short) 0);
      }
      return 0;
    }
    int[] d = defScratch;
    if (defsOut == null && defDecoder != null && defDecoder.skipRun(maxDef, k)) {
      return 0; // a run of non-null levels (callers read the levels only where there are nulls)
    }
    if (defDecoder != null) {
      defDecoder.next(d, 0, k);
    } else {
      for (int i = 0; i < k; i++) {
        d[i] = defGeneric.readInteger();
      }
    }
    int nulls = 0;
    for (int i = 0; i < k; i++) {
      int x = d[i];
      if (x != maxDef) {
        if (x > maxDef || x < 0) {
          throw corrupt("invalid levels (definition " + x + ", repetition 0; the column's maximum are " + maxDef
              + " and 0)");
        }
        nulls++;
      }
      if (defsOut != null) {
        defsOut[at + i] = (short) x;
      }
    }
    return nulls;
  }

  /** The next step of at most STEP levels of the current page, reading pages as needed. */
  private int step(int want) throws ParquetFormatException {
    while (levelPos == pageLevels) {
      if (!nextPage()) {
        throw corrupt("its pages end before the " + total + " values its column chunk has");
      }
    }
    return Math.min(Math.min(want, STEP), pageLevels - levelPos);
  }

  private void readFixed(int n, BaseFixedWidthVector fv, short[] defsOut, int[] idsOut)
      throws ParquetFormatException, RleHybrid.CorruptException {
    boolean pooled = pool != null && n > 0;
    if (pooled) {
      loadPooled(fv, n, (n + 7L) / 8, (long) n * width);
    } else {
      fv.allocateNew(n);
    }
    ArrowBuf data = fv.getDataBuffer();
    ArrowBuf valid = fv.getValidityBuffer();
    if (data.capacity() < (long) n * width || valid.capacity() < (n + 7L) / 8) {
      throw new IllegalStateException("vector smaller than asked");
    }
    final long dataAddr = data.memoryAddress();
    final long validAddr = valid.memoryAddress();
    final int w = width;
    if (pooled) {
      MemoryUtil.setMemory(validAddr, (n + 7L) / 8, (byte) 0); // the bits of nulls stay 0
    }
    int out = 0;
    while (out < n) {
      int k = step(n - out);
      int nulls = levels(k, defsOut, out);
      if (idsOut != null && (mode != Mode.DICT || nulls != 0)) {
        java.util.Arrays.fill(idsOut, out, out + k, -1);
      }
      if (nulls == 0) {
        setValidRange(validAddr, out, out + k);
        switch (mode) {
          case PLAIN -> {
            long bytes = (long) k * w;
            if (bytes > valEnd - valPos) {
              throw corrupt("a page's values end early");
            }
            MemoryUtil.copyToMemory(buf, valPos, dataAddr + (long) out * w, bytes);
            valPos += (int) bytes;
          }
          case DICT -> {
            // the ids straight into idsOut where the caller wants them (checked by gatherFixed)
            int[] ids = idsOut != null ? idsOut : idScratch;
            int from = idsOut != null ? out : 0;
            idDecoder.next(ids, from, k);
            int bad = gatherFixed(ids, from, k, dictFixed, dataAddr + (long) out * w, w);
            if (bad >= 0) {
              throw badId(ids[bad]);
            }
          }
          default -> {
            for (int i = 0; i < k; i++) {
              putGeneric(dataAddr, out + i);
            }
          }
        }
      } else {
        int[] d = defScratch;
        int[] ids = idScratch;
        if (mode == Mode.DICT) {
          idDecoder.next(ids, 0, k - nulls);
        }
        int next = 0;
        for (int i = 0; i < k; i++) {
          int slot = out + i;
          long at = dataAddr + (long) slot * w;
          if (d[i] != maxDef) {
            // a null: its slot is zero (as in a zero-filled vector; a pooled buffer holds old values)
            if (w == 8) {
              MemoryUtil.putLong(at, 0L);
            } else {
              MemoryUtil.putInt(at, 0);
            }
            continue;
          }
          switch (mode) {
            case PLAIN -> {
              if (w > valEnd - valPos) {
                throw corrupt("a page's values end early");
              }
              if (w == 8) {
                MemoryUtil.putLong(at, MemoryUtil.getLong(buf, valPos));
              } else {
                MemoryUtil.putInt(at, MemoryUtil.getInt(buf, valPos));
              }
              valPos += w;
            }
            case DICT -> {
              int id = ids[next++];
              if (id < 0 || id >= dictSize) {
                throw badId(id);
              }
              if (w == 8) {
                MemoryUtil.putLong(at, dictFixed[id]);
              } else {
                MemoryUtil.putInt(at, (int) dictFixed[id]);
              }
              if (idsOut != null) {
                idsOut[slot] = id;
              }
            }
            default -> putGeneric(dataAddr, slot);
          }
          setValid(validAddr, slot);
        }
      }
      levelPos += k;
      out += k;
    }
    fv.setValueCount(n);
  }

  /**
   * Writes the dictionary values of {@code ids[from, from + k)} to {@code dst} ({@code w} bytes
   * each); returns the index of the first id outside the dictionary, or -1. A small method of its
   * own: C1 compiles its loop early and well, where the loops of readFixed wait for readFixed.
   */
  private static int gatherFixed(int[] ids, int from, int k, long[] dict, long dst, int w) {
    final int size = dict.length;
    if (w == 8) {
      for (int i = 0; i < k; i++) {
        int id = ids[from + i];
        if (id < 0 || id >= size) {
          return from + i;
        }
        MemoryUtil.putLong(dst + 8L * i, dict[id]);
      }
    } else {
      for (int i = 0; i < k; i++) {
        int id = ids[from + i];
        if (id < 0 || id >= size) {
          return from + i;
        }
        MemoryUtil.putInt(dst + 4L * i, (int) dict[id]);
      }
    }
    return -1;
  }

  private void putGeneric(long dataAddr, int slot) {
    switch (kind) {
      case INT64 -> MemoryUtil.putLong(dataAddr + 8L * slot, generic.readLong());
      case DOUBLE -> MemoryUtil.putLong(dataAddr + 8L * slot, Double.doubleToRawLongBits(generic.readDouble()));
      case INT32 -> MemoryUtil.putInt(dataAddr + 4L * slot, generic.readInteger());
      default -> MemoryUtil.putInt(dataAddr + 4L * slot, Float.floatToRawIntBits(generic.readFloat()));
    }
  }

  /** Reads strings; {@code defer}: leaves them in the dictionary while every page is dictionary-encoded (see read). */
  private boolean readVar(int n, FieldVector v, short[] defsOut, int[] idsOut, boolean defer)
      throws ParquetFormatException, RleHybrid.CorruptException {
    boolean large = kind == Kind.LARGE_VAR;
    long estimate = Math.max(1024, (long) (n * Math.max(bytesPerValue, observedBytesPerValue) * 1.1));
    boolean pooled = pool != null && n > 0;
    if (pooled) {
      loadPooled(v, n, (n + 7L) / 8, (n + 1L) * (large ? 8 : 4), large ? estimate : Math.min(Integer.MAX_VALUE - 1,
          estimate));
    } else if (large) {
      ((BaseLargeVariableWidthVector) v).allocateNew(estimate, n);
    } else {
      ((BaseVariableWidthVector) v).allocateNew(Math.min(Integer.MAX_VALUE - 1, estimate), n);
    }
    ArrowBuf offsets = v.getOffsetBuffer();
    ArrowBuf valid = v.getValidityBuffer();
    ArrowBuf data = v.getDataBuffer();
    if (offsets.capacity() < (n + 1L) * (large ? 8 : 4) || valid.capacity() < (n + 7L) / 8) {
      throw new IllegalStateException("vector smaller than asked");
    }
    final long offAddr = offsets.memoryAddress();
    final long validAddr = valid.memoryAddress();
    if (pooled) {
      MemoryUtil.setMemory(validAddr, (n + 7L) / 8, (byte) 0); // the bits of nulls stay 0; every offset is written
    }
    long dataAddr = data.memoryAddress();
    long cap = data.capacity();
    long pos = 0;
    int out = 0;
    boolean deferring = defer;
    while (out < n) {
      int k = step(n - out);
      if (deferring && mode != Mode.DICT) {
        // a page stored without the dictionary: the rows so far get their bytes after all
        cap = materialize(v, large, out, pos, idsOut);
        dataAddr = v.getDataBuffer().memoryAddress();
        deferring = false;
      }
      int nulls = levels(k, defsOut, out);
      int[] d = defScratch;
      int[] ids = idScratch;
      int next = 0;
      if (mode == Mode.DICT) {
        if (deferring && nulls == 0) {
          ids = idsOut; // row out + i's id is ids[out + i] (checked where it is read)
          next = out;
        }
        idDecoder.next(ids, next, k - nulls);
      }
      if (idsOut != null && (mode != Mode.DICT || nulls != 0)) {
        java.util.Arrays.fill(idsOut, out, out + k, -1);
      }
      if (deferring && nulls == 0 && (large || pos + (long) k * dictMaxLen <= Integer.MAX_VALUE)) {
        // the common case in a method of its own: the offsets of k values by their ids
        pos = deferredOffsets(idsOut, out, k, offAddr, large, pos);
        setValidRange(validAddr, out, out + k);
        levelPos += k;
        out += k;
        continue;
      }
      if (deferring) {
        // offsets, validity and ids only: the bytes stay in the dictionary
        final int[] ds = dictStarts;
        final int size = dictSize;
        for (int i = 0; i < k; i++) {
          int slot = out + i;
          if (large) {
            MemoryUtil.putLong(offAddr + 8L * slot, pos);
          } else {
            MemoryUtil.putInt(offAddr + 4L * slot, (int) pos);
          }
          if (nulls != 0 && d[i] != maxDef) {
            continue;
          }
          int id = ids[next++];
          if (id < 0 || id >= size) {
            throw badId(id);
          }
          idsOut[slot] = id;
          int len = ds[id + 1] - ds[id];
          if (!large && pos + len > Integer.MAX_VALUE) {
            growData(v, false, pos, len); // fails: more than a VarChar vector can hold
          }
          pos += len;
          if (nulls != 0) {
            setValid(validAddr, slot);
          }
        }
        if (nulls == 0) {
          setValidRange(validAddr, out, out + k);
        }
        levelPos += k;
        out += k;
        continue;
      }
      if (mode == Mode.DICT) {
        // the common case in a loop of its own: values copied from the dictionary, one under 8
        // bytes as one 8-byte word where the buffer has room (the dictionary has 8 bytes of slack;
        // the bytes past the value are overwritten by the next one or lie past the last offset)
        final byte[] db = dictBytes;
        final int[] ds = dictStarts;
        final int size = dictSize;
        for (int i = 0; i < k; i++) {
          int slot = out + i;
          if (large) {
            MemoryUtil.putLong(offAddr + 8L * slot, pos);
          } else {
            MemoryUtil.putInt(offAddr + 4L * slot, (int) pos);
          }
          if (nulls != 0 && d[i] != maxDef) {
            continue;
          }
          int id = ids[next++];
          if (id < 0 || id >= size) {
            throw badId(id);
          }
          if (idsOut != null) {
            idsOut[slot] = id;
          }
          int start = ds[id];
          int len = ds[id + 1] - start;
          if (pos + len > cap) {
            cap = growData(v, large, pos, len);
            dataAddr = v.getDataBuffer().memoryAddress();
          }
          if (len <= 8 && pos + 8 <= cap) {
            MemoryUtil.putLong(dataAddr + pos, MemoryUtil.getLong(db, start));
          } else if (len <= 16) {
            for (int j = 0; j < len; j++) {
              MemoryUtil.putByte(dataAddr + pos + j, db[start + j]);
            }
          } else {
            MemoryUtil.copyToMemory(db, start, dataAddr + pos, len);
          }
          pos += len;
          if (nulls != 0) {
            setValid(validAddr, slot);
          }
        }
        if (nulls == 0) {
          setValidRange(validAddr, out, out + k);
        }
        levelPos += k;
        out += k;
        continue;
      }
      for (int i = 0; i < k; i++) {
        int slot = out + i;
        if (large) {
          MemoryUtil.putLong(offAddr + 8L * slot, pos);
        } else {
          MemoryUtil.putInt(offAddr + 4L * slot, (int) pos);
        }
        if (nulls != 0 && d[i] != maxDef) {
          continue;
        }
        byte[] src;
        int start;
        int len;
        switch (mode) {
          case PLAIN -> {
            len = valPos + 4 <= valEnd ? MemoryUtil.getInt(buf, valPos) : -1;
            if (len < 0 || len > valEnd - valPos - 4) {
              throw corrupt("a value of a bad length (" + len + ")");
            }
            src = buf;
            start = valPos + 4;
            valPos += 4 + len;
          }
          case DICT -> {
            int id = ids[next++];
            if (id < 0 || id >= dictSize) {
              throw badId(id);
            }
            src = dictBytes;
            start = dictStarts[id];
            len = dictStarts[id + 1] - start;
            if (idsOut != null) {
              idsOut[slot] = id;
            }
          }
          default -> {
            Binary bin = generic.readBytes();
            src = bin.getBytesUnsafe();
            start = 0;
            len = src.length;
          }
        }
        if (pos + len > cap) {
          cap = growData(v, large, pos, len);
          dataAddr = v.getDataBuffer().memoryAddress();
        }
        if (len <= 16) {
          // short strings (codes, names): Unsafe.copyMemory's argument checks cost more than the copy
          long dst = dataAddr + pos;
          for (int j = 0; j < len; j++) {
            MemoryUtil.putByte(dst + j, src[start + j]);
          }
        } else {
          MemoryUtil.copyToMemory(src, start, dataAddr + pos, len);
        }
        pos += len;
        if (nulls != 0) {
          setValid(validAddr, slot);
        }
      }
      if (nulls == 0) {
        setValidRange(validAddr, out, out + k);
      }
      levelPos += k;
      out += k;
    }
    observedBytesPerValue = n > 0 ? (double) pos / n : observedBytesPerValue;
    if (large) {
      MemoryUtil.putLong(offAddr + 8L * n, pos);
      ((BaseLargeVariableWidthVector) v).setLastSet(n - 1);
    } else {
      MemoryUtil.putInt(offAddr + 4L * n, (int) pos);
      ((BaseVariableWidthVector) v).setLastSet(n - 1);
    }
    v.setValueCount(n);
    return deferring && n > 0;
  }

  /**
   * Writes the offsets of rows {@code [from, from + k)} from {@code pos} by their ids' lengths
   * (the ids checked); returns the end. A small method of its own: C1 compiles its loop early and
   * well, where the loops of readVar wait for readVar.
   */
  private long deferredOffsets(int[] ids, int from, int k, long offAddr, boolean large, long pos)
      throws ParquetFormatException {
    final int[] lens = dictLens;
    final int size = dictSize;
    long p = pos;
    if (large) {
      for (int i = from; i < from + k; i++) {
        int id = ids[i];
        if (id < 0 || id >= size) {
          throw badId(id);
        }
        MemoryUtil.putLong(offAddr + 8L * i, p);
        p += lens[id];
      }
    } else {
      for (int i = from; i < from + k; i++) {
        int id = ids[i];
        if (id < 0 || id >= size) {
          throw badId(id);
        }
        MemoryUtil.putInt(offAddr + 4L * i, (int) p);
        p += lens[id];
      }
    }
    return p;
  }

  /**
   * Writes the bytes of rows {@code [0, rows)}, read so far without them ({@code end} bytes by
   * their offsets), from the dictionary by their ids; returns the data buffer's capacity.
   */
  private long materialize(FieldVector v, boolean large, int rows, long end, int[] idsOut)
      throws ParquetFormatException {
    long cap = v.getDataBuffer().capacity();
    if (end > cap) {
      cap = growData(v, large, 0, end);
    }
    long dataAddr = v.getDataBuffer().memoryAddress();
    long offAddr = v.getOffsetBuffer().memoryAddress();
    byte[] db = dictBytes;
    int[] ds = dictStarts;
    for (int r = 0; r < rows; r++) {
      int id = idsOut[r];
      if (id >= 0) {
        long at = large ? MemoryUtil.getLong(offAddr + 8L * r) : MemoryUtil.getInt(offAddr + 4L * r);
        MemoryUtil.copyToMemory(db, ds[id], dataAddr + at, ds[id + 1] - ds[id]);
      }
    }
    return cap;
  }

  /** Grows {@code v}'s data buffer to hold {@code need} bytes from {@code pos}; returns its capacity. */
  private long growData(FieldVector v, boolean large, long pos, long need) throws ParquetFormatException {
    if (!large && pos + need > Integer.MAX_VALUE) {
      throw new ParquetFormatException.TooLarge(file, "column " + leaf.path() + ": more than 2 GiB of values"
          + " in one batch; lower --memory-budget or the batch size");
    }
    long cap = v.getDataBuffer().capacity();
    while (pos + need > cap) {
      if (large) {
        ((BaseLargeVariableWidthVector) v).reallocDataBuffer();
      } else {
        long want = Math.max(cap * 2, pos + need);
        ((BaseVariableWidthVector) v).reallocDataBuffer(Math.min(want, Integer.MAX_VALUE));
      }
      cap = v.getDataBuffer().capacity();
    }
    return cap;
  }

  private static void setValid(long validAddr, int slot) {
    long a = validAddr + (slot >>> 3);
    MemoryUtil.putByte(a, (byte) (MemoryUtil.getByte(a) | (1 << (slot & 7))));
  }

  private static void setValidRange(long validAddr, int from, int to) {
    int i = from;
    while (i < to && (i & 7) != 0) {
      setValid(validAddr, i++);
    }
    int fullEnd = to & ~7;
    if (i < fullEnd) {
      MemoryUtil.setMemory(validAddr + (i >>> 3), (fullEnd - i) >>> 3, (byte) -1);
      i = fullEnd;
    }
    while (i < to) {
      setValid(validAddr, i++);
    }
  }

  private ParquetFormatException badId(int id) {
    return corrupt("a dictionary id of " + id + " for a dictionary of " + dictSize + " values");
  }

  private ParquetFormatException corrupt(String what) {
    return new ParquetFormatException(file, "corrupt Parquet data in column " + leaf.path() + " (row group "
        + rowGroup + "): " + what);
  }
}

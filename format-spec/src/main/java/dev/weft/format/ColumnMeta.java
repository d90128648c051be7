package dev.weft.format;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The metadata block of one top-level column: its Arrow field, its nodes and every page of
 * every node. Reached through the {@link ColumnDirectory}; nothing about other columns is
 * read to use it.
 *
 * <pre>
 * ColumnMeta --&gt; FieldMessageLength u32, FieldMessage, Padding to 8,
 *                NumNodes u32, (Kind u16, Reserved u16, Param u32)^NumNodes,
 *                (NumPages u32, NumDictionaries u32, PageMeta^NumPages, DictionaryMeta^NumDictionaries)^NumNodes
 * </pre>
 *
 * (Before format 4.0 NumDictionaries was a reserved field, 0, and no DictionaryMeta followed.) A
 * page whose {@code Dictionary} field is k &gt;= 1 refers to its node's DictionaryMeta k - 1, which
 * must lie in the page's row group (checked).
 *
 * FieldMessage is an Arrow IPC schema message holding just this column's field. The node list
 * must equal what {@link ColumnLayout} derives from the field. Each node's pages cover all rows
 * of the file in order, and its elements contiguously from 0.
 */
public record ColumnMeta(ColumnLayout layout, List<List<PageMeta>> pagesPerNode,
    List<List<DictionaryMeta>> dictionariesPerNode) {

  /** A column without shared dictionaries. */
  public ColumnMeta(ColumnLayout layout, List<List<PageMeta>> pagesPerNode) {
    this(layout, pagesPerNode, java.util.Collections.nCopies(pagesPerNode.size(), List.of()));
  }

  public Field field() {
    return layout.field();
  }

  public byte[] encode() {
    MetaOutput out = new MetaOutput(256);
    byte[] msg = SchemaCodec.encode(new Schema(List.of(layout.field())));
    out.u32(msg.length).bytes(msg).pad();
    out.u32(layout.nodes().size());
    for (ColumnNode node : layout.nodes()) {
      out.u16(node.kind().id()).u16(0).u32(node.param());
    }
    for (int n = 0; n < pagesPerNode.size(); n++) {
      List<PageMeta> pages = pagesPerNode.get(n);
      List<DictionaryMeta> dicts = dictionariesPerNode.get(n);
      out.u32(pages.size()).u32(dicts.size());
      for (PageMeta p : pages) {
        p.encode(out);
      }
      for (DictionaryMeta d : dicts) {
        d.encode(out);
      }
    }
    return out.toByteArray();
  }

  /**
   * Parses and validates a column block whose checksum was verified.
   *
   * @param name the column's name from the directory (must match the stored field)
   */
  public static ColumnMeta decode(ByteBuffer bytes, Path file, String name, long offset, Footer footer)
      throws WeftException {
    return decode(bytes, file, name, offset, footer, WeftFormat.VERSION_MAJOR_CURRENT);
  }

  /**
   * As {@link #decode(ByteBuffer, Path, String, long, Footer)} for a file of format major version
   * {@code major} (shared dictionaries exist from 4 on).
   */
  public static ColumnMeta decode(ByteBuffer bytes, Path file, String name, long offset, Footer footer, int major)
      throws WeftException {
    boolean dictionaries = major >= WeftFormat.VERSION_MAJOR_SHARED_DICTIONARY;
    MetaInput in = new MetaInput(bytes, file, name, offset);
    int msgLen = in.count("field message length", 1);
    long msgOffset = in.fileOffset();
    Schema one = SchemaCodec.decode(in.bytes(msgLen, "field message"), file, name, msgOffset);
    in.skipPad();
    if (one.getFields().size() != 1 || !one.getFields().get(0).getName().equals(name)) {
      throw CorruptFileException.at(file, name, msgOffset, "column block holds field(s) "
          + one.getFields() + ", the directory names '" + name + "'");
    }
    Field field = one.getFields().get(0);
    ColumnLayout layout;
    try {
      layout = ColumnLayout.of(field, file);
    } catch (UnsupportedTypeException e) {
      throw CorruptFileException.at(file, name, msgOffset, "stored field has an unsupported type: " + e.getMessage());
    }
    int numNodes = in.count("node count", 8);
    if (numNodes != layout.nodes().size()) {
      throw in.corrupt("node count " + numNodes + " but the field has " + layout.nodes().size() + " nodes");
    }
    for (ColumnNode node : layout.nodes()) {
      int kind = in.u16("node kind");
      if (in.u16("node reserved field") != 0) {
        throw in.corrupt("node reserved field is not zero");
      }
      long param = in.u32("node parameter");
      if (kind != node.kind().id() || param != node.param()) {
        throw in.corrupt("node " + node.path() + " stored as kind " + kind + "/" + param
            + " but its type " + node.field().getType() + " needs " + node.kind() + "/" + node.param());
      }
    }
    List<List<PageMeta>> perNode = new ArrayList<>(numNodes);
    List<List<DictionaryMeta>> dictsPerNode = new ArrayList<>(numNodes);
    for (ColumnNode node : layout.nodes()) {
      int numPages = in.count("page count", WeftFormat.PAGE_META_LENGTH);
      int numDicts = dictionaries ? in.u32In("dictionary count", 0, Integer.MAX_VALUE)
          : in.u32In("page list reserved field", 0, 0);
      if (numDicts > 0 && !dev.weft.format.encoding.SharedDictionary.kindAllowed(node)) {
        throw in.corrupt("node " + node.path() + " of kind " + node.kind() + " has " + numDicts
            + " shared dictionaries");
      }
      List<PageMeta> pages = new ArrayList<>(numPages);
      long nextRow = 0;
      long nextElement = 0;
      int group = 0;
      for (int p = 0; p < numPages; p++) {
        long at = in.fileOffset();
        PageMeta page = PageMeta.decode(in);
        if (node.index() == 0 && page.numElements() != page.numRows()) {
          throw CorruptFileException.at(file, name, at, "page " + p + " of top-level node " + node.path()
              + " holds " + page.numElements() + " elements for " + page.numRows() + " rows");
        }
        if (page.firstRow() != nextRow || page.firstElement() != nextElement) {
          throw CorruptFileException.at(file, name, at, "page " + p + " of " + node.path()
              + " starts at row " + page.firstRow() + " element " + page.firstElement()
              + ", expected row " + nextRow + " element " + nextElement);
        }
        while (group < footer.rowGroups().size()
            && footer.rowGroups().get(group).firstRow() + footer.rowGroups().get(group).numRows() <= page.firstRow()) {
          group++;
        }
        if (group == footer.rowGroups().size()) {
          throw CorruptFileException.at(file, name, at, "page " + p + " of " + node.path() + " lies past the last row");
        }
        RowGroupMeta rg = footer.rowGroups().get(group);
        if (page.firstRow() + page.numRows() > rg.firstRow() + rg.numRows()
            || page.offset() < rg.startOffset()
            || page.offset() + page.dataLength() + (long) page.tableLength() > rg.endOffset()) {
          throw CorruptFileException.at(file, name, at, "page " + p + " of " + node.path()
              + " does not lie inside row group " + group);
        }
        if (page.dictionary() != 0 && (!dictionaries || page.dictionary() > numDicts)) {
          throw CorruptFileException.at(file, name, at, "page " + p + " of " + node.path() + " refers to dictionary "
              + page.dictionary() + " of " + numDicts);
        }
        pages.add(page);
        nextRow += page.numRows();
        nextElement += page.numElements();
      }
      if ((long) numDicts * DictionaryMeta.LENGTH > in.remaining()) {
        throw in.corrupt("truncated dictionary list of " + node.path() + ": " + numDicts + " entries");
      }
      List<DictionaryMeta> dicts = new ArrayList<>(numDicts);
      for (int d = 0; d < numDicts; d++) {
        dicts.add(DictionaryMeta.decode(in));
      }
      for (PageMeta page : pages) {
        if (page.dictionary() != 0) {
          DictionaryMeta d = dicts.get(page.dictionary() - 1);
          RowGroupMeta rg = rowGroupOf(footer, page.firstRow());
          if (d.offset() < rg.startOffset() || d.offset() + d.storedLength() > rg.endOffset()) {
            throw CorruptFileException.at(file, name, page.offset(), "shared dictionary " + (page.dictionary() - 1)
                + " of " + node.path() + " does not lie in the row group of a page that uses it");
          }
        }
      }
      dictsPerNode.add(List.copyOf(dicts));
      if (nextRow != footer.numRows()) {
        throw in.corrupt("pages of " + node.path() + " cover " + nextRow + " rows of " + footer.numRows());
      }
      perNode.add(List.copyOf(pages));
    }
    checkElementCounts(layout, perNode, file, name, offset);
    return new ColumnMeta(layout, List.copyOf(perNode), List.copyOf(dictsPerNode));
  }

  /** The row group holding {@code row} (which the pages were checked to lie in). */
  private static RowGroupMeta rowGroupOf(Footer footer, long row) {
    List<RowGroupMeta> groups = footer.rowGroups();
    int lo = 0;
    int hi = groups.size() - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (groups.get(mid).firstRow() <= row) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return groups.get(lo);
  }

  /** The element totals of positional children follow from their parents. */
  private static void checkElementCounts(ColumnLayout layout, List<List<PageMeta>> perNode, Path file,
      String name, long offset) throws CorruptFileException {
    long[] totals = new long[perNode.size()];
    for (int i = 0; i < totals.length; i++) {
      for (PageMeta p : perNode.get(i)) {
        totals[i] += p.numElements();
      }
    }
    long rows = 0;
    for (PageMeta p : perNode.get(0)) {
      rows += p.numRows();
    }
    if (totals[0] != rows) {
      throw CorruptFileException.at(file, name, offset, "top-level node holds " + totals[0]
          + " elements for " + rows + " rows");
    }
    for (ColumnNode node : layout.nodes()) {
      for (int child : node.children()) {
        long expected = switch (node.kind()) {
          case STRUCT -> totals[node.index()];
          case FIXED_SIZE_LIST -> totals[node.index()] * node.listSize();
          default -> -1;
        };
        if (expected >= 0 && totals[child] != expected) {
          throw CorruptFileException.at(file, name, offset, layout.node(child).path() + " holds "
              + totals[child] + " elements, its parent implies " + expected);
        }
      }
    }
  }
}

package dev.weft.cli.parquet;

import java.util.Optional;
import java.util.PrimitiveIterator;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.column.page.PageReader;

/**
 * A row group's pages without the data pages that hold no values.
 *
 * <p>Arrow C++ (pyarrow) can write a data page of 0 values, for example the last page of a list
 * column written with {@code write_batch_size=1} and a tiny {@code data_page_size}; it reads
 * such pages back by skipping them. parquet-java's column reader does not: it starts reading
 * the empty page's levels and fails with "Reading past RLE/BitPacking stream". An empty page
 * carries no levels, no values and no rows, so dropping it changes nothing else.
 */
final class NonEmptyPages implements PageReadStore {
  private final PageReadStore store;

  private NonEmptyPages(PageReadStore store) {
    this.store = store;
  }

  /** {@code store} with every page reader skipping empty data pages; null stays null. */
  static PageReadStore wrap(PageReadStore store) {
    return store == null ? null : new NonEmptyPages(store);
  }

  @Override
  public PageReader getPageReader(ColumnDescriptor column) {
    PageReader pages = store.getPageReader(column);
    return pages == null ? null : new Skipping(pages);
  }

  @Override
  public long getRowCount() {
    return store.getRowCount();
  }

  @Override
  public Optional<Long> getRowIndexOffset() {
    return store.getRowIndexOffset();
  }

  @Override
  public Optional<PrimitiveIterator.OfLong> getRowIndexes() {
    return store.getRowIndexes();
  }

  @Override
  public void close() {
    store.close();
  }

  private static final class Skipping implements PageReader {
    private final PageReader pages;

    Skipping(PageReader pages) {
      this.pages = pages;
    }

    @Override
    public DictionaryPage readDictionaryPage() {
      return pages.readDictionaryPage();
    }

    @Override
    public long getTotalValueCount() {
      return pages.getTotalValueCount();
    }

    @Override
    public DataPage readPage() {
      DataPage page = pages.readPage();
      while (page != null && page.getValueCount() == 0) {
        page = pages.readPage();
      }
      return page;
    }
  }
}

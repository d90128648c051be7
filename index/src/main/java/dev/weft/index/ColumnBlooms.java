package dev.weft.index;

import dev.weft.format.CorruptFileException;
import dev.weft.format.MetaInput;
import dev.weft.format.MetaOutput;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * The bloom filters of one column (format 2.1), one {@link SplitBlockBloomFilter} per row group,
 * over the non-null values of that row group hashed with {@link StatKind#hash}.
 *
 * <pre>
 * ColumnBlooms --&gt; HashKind u8 (1 = XXH64 seed 0), Reserved u8, Reserved u16, NumRowGroups u32,
 *                  NumBlocks u32^NumRowGroups, Words u32[8 * NumBlocks]^NumRowGroups
 * </pre>
 */
public record ColumnBlooms(List<SplitBlockBloomFilter> rowGroups) {
  public static final int HASH_XXH64 = 1;

  byte[] encode() {
    int words = 0;
    for (SplitBlockBloomFilter f : rowGroups) {
      words += f.numBlocks() * 8;
    }
    MetaOutput out = new MetaOutput(8 + 4 * rowGroups.size() + 4 * words);
    out.u8(HASH_XXH64).u8(0).u16(0).u32(rowGroups.size());
    for (SplitBlockBloomFilter f : rowGroups) {
      out.u32(f.numBlocks());
    }
    for (SplitBlockBloomFilter f : rowGroups) {
      for (int w : f.words()) {
        out.u32(w);
      }
    }
    return out.toByteArray();
  }

  public static ColumnBlooms decode(ByteBuffer bytes, Path file, String column, long offset, int numRowGroups)
      throws CorruptFileException {
    MetaInput in = new MetaInput(bytes, file, column, offset);
    int hash = in.u8("bloom hash kind");
    if (hash != HASH_XXH64) {
      throw in.corrupt("unknown bloom filter hash kind " + hash);
    }
    in.u8("reserved");
    in.u16("reserved");
    in.u32In("bloom filter row group count", numRowGroups, numRowGroups);
    int[] blocks = new int[numRowGroups];
    long total = 0;
    for (int g = 0; g < numRowGroups; g++) {
      blocks[g] = in.u32In("bloom filter blocks", 0, SplitBlockBloomFilter.MAX_BLOCKS);
      total += blocks[g];
    }
    if (total * SplitBlockBloomFilter.BLOCK_BYTES != in.remaining()) {
      throw in.corrupt("bloom filters of " + total + " blocks do not fill the " + in.remaining() + " bytes left");
    }
    SplitBlockBloomFilter[] out = new SplitBlockBloomFilter[numRowGroups];
    for (int g = 0; g < numRowGroups; g++) {
      int[] words = new int[blocks[g] * 8];
      for (int i = 0; i < words.length; i++) {
        words[i] = in.rawU32("bloom filter word");
      }
      out[g] = new SplitBlockBloomFilter(words);
    }
    return new ColumnBlooms(List.of(out));
  }
}

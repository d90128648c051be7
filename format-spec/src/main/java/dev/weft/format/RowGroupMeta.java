package dev.weft.format;

/**
 * A row group: the writer's unit of buffering and the unit of parallel splits. Its pages lie in
 * the byte range {@code [startOffset, endOffset)} of the file.
 */
public record RowGroupMeta(long firstRow, long numRows, long startOffset, long endOffset) {}

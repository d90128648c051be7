package dev.weft.reader;

import dev.weft.format.ColumnMeta;
import java.nio.file.Path;

/** One top-level column of an open file: its metadata and a reader per node. */
final class ColumnReader {
  private final String name;
  private final Path path;
  private final ColumnMeta meta;
  private final NodeReader[] nodes;

  ColumnReader(FileContext ctx, String name, ColumnMeta meta) throws java.io.IOException {
    this.name = name;
    this.path = ctx.path();
    this.meta = meta;
    this.nodes = new NodeReader[meta.layout().nodes().size()];
    for (int i = 0; i < nodes.length; i++) {
      nodes[i] = new NodeReader(ctx, name, meta.layout().node(i), meta.pagesPerNode().get(i),
          meta.dictionariesPerNode().get(i));
    }
    for (NodeReader n : nodes) {
      n.verifyEmptyPages();
    }
  }

  String name() {
    return name;
  }

  Path path() {
    return path;
  }

  ColumnMeta meta() {
    return meta;
  }

  NodeReader[] nodes() {
    return nodes;
  }
}

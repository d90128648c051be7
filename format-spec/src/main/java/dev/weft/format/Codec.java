package dev.weft.format;

/** General-purpose compression applied to a whole mini-block, chosen per block by the writer. */
public enum Codec {
  NONE(0),
  ZSTD(1),
  LZ4(2);

  private final int id;

  Codec(int id) {
    this.id = id;
  }

  /** The 2-bit id stored in a block entry's flags. */
  public int id() {
    return id;
  }

  /** The codec with this id, or null if the id is unknown. */
  public static Codec fromId(int id) {
    for (Codec c : values()) {
      if (c.id == id) {
        return c;
      }
    }
    return null;
  }
}

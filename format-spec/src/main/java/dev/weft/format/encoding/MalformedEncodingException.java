package dev.weft.format.encoding;

/**
 * An encoded stream inside a mini-block does not follow its grammar: an unknown scheme id, a
 * bit width over 64, a count or length that does not fit the bytes that remain, run lengths that
 * do not add up to the element count, a dictionary code or exception position out of range, or
 * nesting deeper than {@link IntStreams#MAX_DEPTH}. The reader turns it into a
 * {@code CorruptFileException} naming the file, column and block.
 */
public final class MalformedEncodingException extends IllegalArgumentException {
  public MalformedEncodingException(String message) {
    super(message);
  }
}

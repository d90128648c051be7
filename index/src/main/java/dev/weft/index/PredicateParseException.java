package dev.weft.index;

/** A predicate text that does not parse: where (0-based character position) and what was expected. */
public final class PredicateParseException extends IllegalArgumentException {
  private final int position;

  PredicateParseException(String text, int position, String message) {
    super("invalid predicate at position " + position + " (" + near(text, position) + "): " + message);
    this.position = position;
  }

  private static String near(String text, int pos) {
    if (pos >= text.length()) {
      return "at the end";
    }
    String rest = text.substring(pos);
    return "near '" + (rest.length() > 20 ? rest.substring(0, 20) + "..." : rest) + "'";
  }

  /** The 0-based character position of the error in the text. */
  public int position() {
    return position;
  }
}

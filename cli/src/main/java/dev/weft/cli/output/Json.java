package dev.weft.cli.output;

/**
 * JSON text helpers: RFC 8259 strings as Python's {@code json.dumps(ensure_ascii=False)} writes
 * them, except that DEL, U+0085, U+2028 and U+2029 are escaped too, so that no JSON Lines
 * record is split by a reader that breaks lines on them ({@code str.splitlines()}).
 */
public final class Json {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private Json() {}

  /** Appends {@code s} as a quoted JSON string. */
  public static void appendString(StringBuilder sb, CharSequence s) {
    sb.append('"');
    appendEscaped(sb, s);
    sb.append('"');
  }

  /** Appends the JSON escape of {@code s} without quotes. */
  public static void appendEscaped(StringBuilder sb, CharSequence s) {
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        default -> {
          if (c < 0x20 || c == 0x7F || c == 0x85 || c == 0x2028 || c == 0x2029
              || Character.isSurrogate(c) && !validSurrogate(s, i)) {
            // control characters, and the line separators that Python's str.splitlines() and
            // JavaScript treat as line ends; a lone surrogate cannot be encoded as UTF-8
            sb.append("\\u").append(HEX[c >> 12 & 15]).append(HEX[c >> 8 & 15])
                .append(HEX[c >> 4 & 15]).append(HEX[c & 15]);
          } else {
            sb.append(c);
          }
        }
      }
    }
  }

  private static boolean validSurrogate(CharSequence s, int i) {
    char c = s.charAt(i);
    if (Character.isHighSurrogate(c)) {
      return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
    }
    return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
  }

  /** {@code s} as a quoted JSON string. */
  public static String quote(CharSequence s) {
    StringBuilder sb = new StringBuilder(s.length() + 2);
    appendString(sb, s);
    return sb.toString();
  }
}

package dev.weft.cli.output;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A small builder of pretty-printed JSON text (2-space indentation), enough for reports such as
 * {@code weft inspect --json}. Calls must nest correctly; {@link #name} precedes every value
 * inside an object.
 *
 * <pre>{@code
 * JsonWriter w = new JsonWriter();
 * w.beginObject().name("rows").value(10).name("tags").beginArray().value("a").endArray().endObject();
 * String text = w.toString();
 * }</pre>
 */
public final class JsonWriter {
  private final StringBuilder sb = new StringBuilder();
  /** Per open container: whether it has no element yet. */
  private final Deque<boolean[]> open = new ArrayDeque<>();
  private boolean afterName;

  public JsonWriter beginObject() {
    beforeValue();
    sb.append('{');
    open.push(new boolean[] {true});
    return this;
  }

  public JsonWriter endObject() {
    return end('}');
  }

  public JsonWriter beginArray() {
    beforeValue();
    sb.append('[');
    open.push(new boolean[] {true});
    return this;
  }

  public JsonWriter endArray() {
    return end(']');
  }

  private JsonWriter end(char c) {
    boolean empty = open.pop()[0];
    if (!empty) {
      newline();
    }
    sb.append(c);
    return this;
  }

  /** The name of the next member of the current object. */
  public JsonWriter name(String name) {
    beforeValue();
    Json.appendString(sb, name);
    sb.append(": ");
    afterName = true;
    return this;
  }

  public JsonWriter value(String s) {
    beforeValue();
    if (s == null) {
      sb.append("null");
    } else {
      Json.appendString(sb, s);
    }
    return this;
  }

  public JsonWriter value(long v) {
    beforeValue();
    sb.append(v);
    return this;
  }

  /** A number as Python's json.dumps writes it (NaN and infinities as NaN, Infinity). */
  public JsonWriter value(double v) {
    beforeValue();
    PyFloat.appendJson(sb, v);
    return this;
  }

  public JsonWriter value(boolean v) {
    beforeValue();
    sb.append(v);
    return this;
  }

  public JsonWriter nullValue() {
    beforeValue();
    sb.append("null");
    return this;
  }

  private void beforeValue() {
    if (afterName) {
      afterName = false;
      return;
    }
    if (!open.isEmpty()) {
      boolean[] first = open.peek();
      if (!first[0]) {
        sb.append(',');
      }
      first[0] = false;
      newline();
    }
  }

  private void newline() {
    sb.append('\n');
    for (int i = 0; i < open.size(); i++) {
      sb.append("  ");
    }
  }

  @Override
  public String toString() {
    return sb.toString();
  }
}

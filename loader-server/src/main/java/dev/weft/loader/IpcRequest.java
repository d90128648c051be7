package dev.weft.loader;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Set;

/**
 * The request line of the Arrow IPC socket transport (PROTOCOL.md section 15): one UTF-8 JSON
 * object on one line, {@code {"v": 1, "op": "stream", "token": "...", "ticket": {...}}}, where the
 * ticket is exactly the Flight ticket of section 12.1. Parsed strictly (unknown keys, wrong
 * types refused naming the key; at most {@link #MAX_LINE_BYTES}).
 *
 * @param op {@code "stream"} (the ticket's batches) or {@code "describe"} (the dataset's schema)
 * @param token the token presented, or null
 * @param ticket the stream asked for ({@code "stream"} only; null for {@code "describe"})
 */
record IpcRequest(String op, String token, FlightTicket ticket) {
  /** Request version this class speaks. */
  static final int VERSION = 1;
  /** Longest request line accepted, the newline included: a ticket (1 MiB) and a little more. */
  static final int MAX_LINE_BYTES = FlightTicket.MAX_TICKET_BYTES + 4096;

  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  private static final Set<String> KEYS = Set.of("v", "op", "token", "ticket");

  /**
   * Parses a request line (without its newline).
   *
   * @throws IllegalArgumentException naming the key and the rule if the request is not valid
   */
  static IpcRequest parse(byte[] line) {
    JsonNode root;
    try {
      root = JSON.readTree(line);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("request is not valid JSON: " + e.getOriginalMessage());
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("request is not valid JSON: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("request must be a JSON object on one line, e.g."
          + " {\"v\": 1, \"op\": \"stream\", \"ticket\": {\"v\": 1}}");
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!KEYS.contains(k)) {
        throw new IllegalArgumentException("request: unknown key \"" + k + "\" (known: " + new java.util.TreeSet<>(KEYS)
            + ")");
      }
    }
    JsonNode v = root.get("v");
    if (v == null || !v.isIntegralNumber() || v.asLong() != VERSION) {
      throw new IllegalArgumentException("request: \"v\" must be 1 (the request version)");
    }
    String op = text(root, "op");
    op = op == null ? "stream" : op;
    if (!op.equals("stream") && !op.equals("describe")) {
      throw new IllegalArgumentException("request: \"op\" must be \"stream\" or \"describe\"");
    }
    String token = text(root, "token");
    JsonNode t = root.get("ticket");
    FlightTicket ticket = null;
    if (op.equals("stream")) {
      if (t == null || !t.isObject()) {
        throw new IllegalArgumentException("request: \"ticket\" (a JSON object, PROTOCOL.md section 12.1) is required");
      }
      ticket = FlightTicket.parse(t.toString().getBytes(StandardCharsets.UTF_8));
    } else if (t != null) {
      throw new IllegalArgumentException("request: \"describe\" takes no \"ticket\"");
    }
    return new IpcRequest(op, token, ticket);
  }

  /** The request line (newline included) that asks for {@code request}'s stream. */
  static byte[] encodeStream(StreamRequest request, String token) {
    return encode("stream", token, FlightTicket.encode(null, request));
  }

  /** The request line (newline included) that asks for the dataset's description. */
  static byte[] encodeDescribe(String token) {
    return encode("describe", token, null);
  }

  static byte[] encode(String op, String token, byte[] ticket) {
    ObjectNode o = JSON.createObjectNode();
    o.put("v", VERSION);
    o.put("op", op);
    if (token != null) {
      o.put("token", token);
    }
    if (ticket != null) {
      try {
        o.set("ticket", JSON.readTree(ticket));
      } catch (java.io.IOException e) {
        throw new IllegalArgumentException("ticket is not JSON: " + e.getMessage());
      }
    }
    return (o.toString() + "\n").getBytes(StandardCharsets.UTF_8);
  }

  private static String text(JsonNode root, String key) {
    JsonNode n = root.get(key);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual()) {
      throw new IllegalArgumentException("request: \"" + key + "\" must be a string");
    }
    return n.asText();
  }
}

package dev.weft.loader;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The ticket of the Flight transport (PROTOCOL.md section 12.1): one UTF-8 JSON object naming a
 * stream exactly as an {@code OPEN_STREAM} does. {@link #parse} validates strictly (unknown keys,
 * wrong types and out-of-range values are refused with a message naming the key);
 * {@link #encode} writes the ticket a client sends.
 *
 * @param dataset the dataset name asked for, or null for the server's dataset
 * @param request the stream (its expected fingerprint, if any, is the ticket's {@code fingerprint})
 */
public record FlightTicket(String dataset, StreamRequest request) {
  /** Ticket version this class speaks. */
  public static final int VERSION = 1;
  /** Largest ticket accepted, in bytes. */
  public static final int MAX_TICKET_BYTES = Protocol.MAX_REQUEST_BODY;

  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  private static final Set<String> KEYS = Set.of("v", "dataset", "fingerprint", "columns", "batch_size", "seed",
      "epoch", "shuffle", "block_size", "window_blocks", "rank", "world_size", "worker", "num_workers", "drop_last",
      "start_position", "start_batch", "prefetch");
  private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

  /**
   * Parses and validates a ticket.
   *
   * @throws IllegalArgumentException naming the key and the rule if the ticket is not valid
   */
  public static FlightTicket parse(byte[] bytes) {
    if (bytes.length > MAX_TICKET_BYTES) {
      throw new IllegalArgumentException("ticket is " + bytes.length + " bytes, at most " + MAX_TICKET_BYTES);
    }
    JsonNode root;
    try {
      root = JSON.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("ticket is not valid JSON: " + e.getOriginalMessage());
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("ticket is not valid JSON: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("ticket must be a JSON object, e.g. {\"v\": 1, \"batch_size\": 256}");
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!KEYS.contains(k)) {
        throw new IllegalArgumentException("ticket: unknown key \"" + k + "\" (known: " + new java.util.TreeSet<>(KEYS)
            + ")");
      }
    }
    JsonNode v = root.get("v");
    if (v == null) {
      throw new IllegalArgumentException("ticket: \"v\" (the ticket version, 1) is required");
    }
    long version = integer(root, "v", 1, 1, 0);
    if (version != VERSION) {
      throw new IllegalArgumentException("ticket: version " + version + " is not supported (this server: 1)");
    }
    String dataset = string(root, "dataset");
    String fp = string(root, "fingerprint");
    DatasetFingerprint fingerprint = null;
    if (fp != null) {
      if (!fp.matches("[0-9a-fA-F]{64}")) {
        throw new IllegalArgumentException("ticket: \"fingerprint\" must be 64 hex digits, got \"" + abbrev(fp) + "\"");
      }
      fingerprint = DatasetFingerprint.ofHex(fp.toLowerCase(java.util.Locale.ROOT));
    }
    List<String> columns = null;
    JsonNode cols = root.get("columns");
    if (cols != null && !cols.isNull()) {
      if (!cols.isArray()) {
        throw new IllegalArgumentException("ticket: \"columns\" must be a list of column names or null");
      }
      if (cols.size() > 0xFFFF) {
        throw new IllegalArgumentException("ticket: \"columns\" has " + cols.size() + " names, at most 65535");
      }
      columns = new ArrayList<>(cols.size());
      for (JsonNode c : cols) {
        if (!c.isTextual() || c.asText().isEmpty()) {
          throw new IllegalArgumentException("ticket: \"columns\" must hold non-empty strings, got " + abbrev(c.toString()));
        }
        columns.add(c.asText());
      }
    }
    String mode = string(root, "shuffle");
    long seed = seed(root);
    int blockSize = (int) integer(root, "block_size", 1, Integer.MAX_VALUE, 1);
    int window = (int) integer(root, "window_blocks", 1, Integer.MAX_VALUE, 1);
    if (!"block".equals(mode) && (root.has("block_size") || root.has("window_blocks"))) {
      throw new IllegalArgumentException("ticket: \"block_size\" and \"window_blocks\" need \"shuffle\": \"block\"");
    }
    ShuffleOptions shuffle = switch (mode == null ? "global" : mode) {
      case "none" -> ShuffleOptions.none();
      case "global" -> ShuffleOptions.global(seed);
      case "block" -> ShuffleOptions.block(seed, blockSize, window);
      default -> throw new IllegalArgumentException("ticket: \"shuffle\" must be \"none\", \"global\" or \"block\", got \""
          + abbrev(mode) + "\"");
    };
    JsonNode dropLast = root.get("drop_last");
    if (dropLast != null && !dropLast.isBoolean()) {
      throw new IllegalArgumentException("ticket: \"drop_last\" must be true or false");
    }
    int world = (int) integer(root, "world_size", 1, Protocol.MAX_WORLD_SIZE, 1);
    int workers = (int) integer(root, "num_workers", 1, Protocol.MAX_WORKERS, 1);
    StreamRequest.Builder b = StreamRequest.builder()
        .epoch(integer(root, "epoch", 0, Long.MAX_VALUE, 0))
        .shuffle(shuffle)
        .batchSize((int) integer(root, "batch_size", 1, Protocol.MAX_BATCH_SIZE, StreamRequest.DEFAULT_BATCH_SIZE))
        .worldSize(world)
        .rank((int) integer(root, "rank", 0, world - 1, 0))
        .numWorkers(workers)
        .worker((int) integer(root, "worker", 0, workers - 1, 0))
        .tail(dropLast == null || dropLast.asBoolean() ? ShardPlan.Tail.DROP_LAST : ShardPlan.Tail.PAD)
        .startPosition(integer(root, "start_position", 0, Long.MAX_VALUE, 0))
        .fromBatch(integer(root, "start_batch", 0, Long.MAX_VALUE, 0))
        .prefetch((int) integer(root, "prefetch", 0, Protocol.MAX_PREFETCH, -1))
        .expectedFingerprint(fingerprint)
        .columns(columns);
    return new FlightTicket(dataset, b.build());
  }

  /** The ticket bytes for a request (and a dataset name, or null for the server's dataset). */
  public static byte[] encode(String dataset, StreamRequest r) {
    ObjectNode o = JSON.createObjectNode();
    o.put("v", VERSION);
    if (dataset != null) {
      o.put("dataset", dataset);
    }
    if (r.expectedFingerprint() != null) {
      o.put("fingerprint", r.expectedFingerprint().hex());
    }
    if (r.columns() != null) {
      ArrayNode a = o.putArray("columns");
      r.columns().forEach(a::add);
    }
    o.put("batch_size", r.batchSize());
    ShuffleOptions s = r.shuffle();
    o.put("seed", new BigInteger(Long.toUnsignedString(s.seed())));
    o.put("epoch", r.epoch());
    o.put("shuffle", !s.shuffle() ? "none" : s.isBlock() ? "block" : "global");
    if (s.isBlock()) {
      o.put("block_size", s.blockSize());
      o.put("window_blocks", s.windowBlocks());
    }
    o.put("rank", r.rank());
    o.put("world_size", r.worldSize());
    o.put("worker", r.worker());
    o.put("num_workers", r.numWorkers());
    o.put("drop_last", r.tail() == ShardPlan.Tail.DROP_LAST);
    o.put("start_position", r.startPosition());
    o.put("start_batch", r.fromBatch());
    if (r.prefetch() >= 0) {
      o.put("prefetch", r.prefetch());
    }
    return o.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The per-batch tag sent as Flight {@code app_metadata} (section 12.2). */
  static byte[] tagJson(BatchTag tag, long resumePosition, int rows) {
    return ("{\"epoch\":" + tag.epoch() + ",\"batch\":" + tag.batchIndex() + ",\"first_position\":"
        + tag.firstPosition() + ",\"resume_position\":" + resumePosition + ",\"rows\":" + rows + "}")
        .getBytes(StandardCharsets.UTF_8);
  }

  /** Reads a tag written by {@link #tagJson}: epoch, batch, first_position, resume_position, rows. */
  static long[] parseTag(byte[] json) {
    try {
      JsonNode n = JSON.readTree(json);
      long[] out = new long[5];
      String[] keys = {"epoch", "batch", "first_position", "resume_position", "rows"};
      for (int i = 0; i < keys.length; i++) {
        JsonNode k = n.get(keys[i]);
        if (k == null || !k.canConvertToLong()) {
          throw new IllegalArgumentException("batch tag lacks \"" + keys[i] + "\": " + abbrev(n.toString()));
        }
        out[i] = k.asLong();
      }
      return out;
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("batch tag is not valid JSON: " + e.getMessage());
    }
  }

  /** Schema metadata key: batches every rank gets this epoch (from the start position). */
  static final String BATCHES_PER_RANK = "weft.batches_per_rank";
  /** Schema metadata key: batches the stream delivers. */
  static final String NUM_BATCHES = "weft.num_batches";

  /** A few server-side facts as the schema's custom metadata (section 12.2). */
  static Map<String, String> schemaMetadata(DatasetFingerprint fp, long rows, long batchesPerRank, long numBatches) {
    return Map.of("weft.fingerprint", fp.hex(), "weft.num_rows", Long.toString(rows), BATCHES_PER_RANK,
        Long.toString(batchesPerRank), NUM_BATCHES, Long.toString(numBatches));
  }

  /** A count of {@link #schemaMetadata} ({@link #BATCHES_PER_RANK}, {@link #NUM_BATCHES}) a client received; -1 if absent. */
  static long schemaCount(Map<String, String> metadata, String key) {
    return Long.parseLong(metadata.getOrDefault(key, "-1"));
  }

  /** {@link #parseTag} for a client: a malformed tag is an IOException (the stream is not what the protocol says). */
  static long[] receivedTag(byte[] json) throws java.io.IOException {
    try {
      return parseTag(json);
    } catch (IllegalArgumentException e) {
      throw new java.io.IOException(e.getMessage());
    }
  }

  private static String string(JsonNode root, String key) {
    JsonNode n = root.get(key);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual()) {
      throw new IllegalArgumentException("ticket: \"" + key + "\" must be a string, got " + abbrev(n.toString()));
    }
    return n.asText();
  }

  private static long integer(JsonNode root, String key, long min, long max, long dflt) {
    JsonNode n = root.get(key);
    if (n == null) {
      return dflt;
    }
    if (!n.isIntegralNumber()) {
      throw new IllegalArgumentException("ticket: \"" + key + "\" must be an integer, got " + abbrev(n.toString()));
    }
    if (!n.canConvertToLong() || n.asLong() < min || n.asLong() > max) {
      throw new IllegalArgumentException("ticket: \"" + key + "\" must be in [" + min + ", " + max + "], got "
          + abbrev(n.toString()));
    }
    return n.asLong();
  }

  /** {@code seed}: an integer in [-2^63, 2^64) or a decimal string of one; as 64 bits. */
  private static long seed(JsonNode root) {
    JsonNode n = root.get("seed");
    if (n == null) {
      return 0;
    }
    BigInteger v;
    if (n.isIntegralNumber()) {
      v = n.bigIntegerValue();
    } else if (n.isTextual()) {
      try {
        v = new BigInteger(n.asText().trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("ticket: \"seed\" must be an integer or a decimal string, got "
            + abbrev(n.toString()));
      }
    } else {
      throw new IllegalArgumentException("ticket: \"seed\" must be an integer or a decimal string, got "
          + abbrev(n.toString()));
    }
    if (v.compareTo(BigInteger.valueOf(Long.MIN_VALUE)) < 0 || v.compareTo(TWO_64) >= 0) {
      throw new IllegalArgumentException("ticket: \"seed\" must be in [-2^63, 2^64), got " + abbrev(v.toString()));
    }
    return v.longValue(); // two's complement: 2^64-1 and -1 are the same seed
  }

  private static String abbrev(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }
}

package dev.weft.loader;

import static dev.weft.loader.LoaderTestSupport.ids;
import static dev.weft.loader.LoaderTestSupport.writeIds;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * pyarrow.flight, with nothing of Weft's, reads the Flight transport: the same batches and tags
 * as {@link WeftFlightClient}, refusals as Flight errors ({@code src/test/python/flight_check.py}).
 * Runs with the Python of {@code WEFT_PYTHON} or the repository's {@code .venv} (bin/test makes
 * it); skipped if neither has pyarrow.
 */
class FlightPythonTest {
  @TempDir Path dir;

  static Path python() throws IOException, InterruptedException {
    List<Path> candidates = new ArrayList<>();
    String env = System.getenv("WEFT_PYTHON");
    if (env != null && !env.isBlank()) {
      candidates.add(Path.of(env));
    }
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      candidates.add(d.resolve(".venv/bin/python"));
    }
    for (Path p : candidates) {
      if (Files.isExecutable(p)) {
        Process pr = new ProcessBuilder(p.toString(), "-c", "import pyarrow.flight").redirectErrorStream(true).start();
        pr.getInputStream().readAllBytes();
        if (pr.waitFor(60, TimeUnit.SECONDS) && pr.exitValue() == 0) {
          return p;
        }
      }
    }
    return null;
  }

  static Path script() {
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      for (Path p : List.of(d.resolve("src/test/python/flight_check.py"),
          d.resolve("loader-server/src/test/python/flight_check.py"))) {
        if (Files.isRegularFile(p)) {
          return p;
        }
      }
    }
    throw new IllegalStateException("flight_check.py not found");
  }

  @Test
  void pyarrowFlightReadsTheSameBatchesAndTags() throws Exception {
    Path python = python();
    Assumptions.assumeTrue(python != null, "no Python with pyarrow (set WEFT_PYTHON or make .venv)");
    try (BufferAllocator alloc = new RootAllocator()) {
      writeIds(dir.resolve("d/a.weft"), 0, 300, alloc);
      writeIds(dir.resolve("d/b.weft"), 300, 777, alloc);
      try (WeftDataset ds = WeftDataset.open(List.of(dir.resolve("d")), alloc);
          FlightLoaderService flight = FlightLoaderService.start(ds,
              new FlightLoaderService.Options("127.0.0.1", 0, "tok", 16), null);
          WeftFlightClient c = WeftFlightClient.connect(flight.uri(), "tok", alloc)) {
        List<StreamRequest> requests = List.of(
            StreamRequest.builder().batchSize(50).shuffle(ShuffleOptions.global(5)).epoch(2).build(),
            StreamRequest.builder().batchSize(16).shuffle(ShuffleOptions.block(9, 8, 2)).rank(1).worldSize(2)
                .worker(1).numWorkers(3).tail(ShardPlan.Tail.PAD).columns(List.of("s", "id")).startPosition(100)
                .build());
        List<String> cmd = new ArrayList<>(List.of(python.toString(), script().toString(), flight.uri(), "tok"));
        for (StreamRequest r : requests) {
          cmd.add(new String(FlightTicket.encode(null, r), StandardCharsets.UTF_8));
        }
        Process p = new ProcessBuilder(cmd).redirectError(dir.resolve("py.err").toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "python finished");
        assertEquals(0, p.exitValue(), out + "\n" + Files.readString(dir.resolve("py.err")));
        String[] lines = out.strip().split("\n");
        assertEquals(requests.size() + 1, lines.length, out);
        assertEquals("{\"checks\":\"ok\"}", lines[lines.length - 1].replace(" ", ""));
        ObjectMapper json = new ObjectMapper();
        for (int i = 0; i < requests.size(); i++) {
          JsonNode got = json.readTree(lines[i]);
          assertEquals(ds.fingerprint().hex(), got.get("schema_meta").get("weft.fingerprint").asText());
          JsonNode batches = got.get("batches");
          int k = 0;
          try (WeftFlightClient.Stream s = c.openStream(requests.get(i))) {
            assertEquals(s.numBatches(), batches.size());
            for (WeftBatch next = s.next(); next != null; next = s.next(), k++) {
              try (WeftBatch b = next) {
                JsonNode pb = batches.get(k);
                JsonNode tag = pb.get("tag");
                assertEquals(b.tag().epoch(), tag.get("epoch").asLong());
                assertEquals(b.tag().batchIndex(), tag.get("batch").asLong());
                assertEquals(b.tag().firstPosition(), tag.get("first_position").asLong());
                assertEquals(b.resumePosition(), tag.get("resume_position").asLong());
                long[] pyIds = new long[pb.get("ids").size()];
                for (int j = 0; j < pyIds.length; j++) {
                  pyIds[j] = pb.get("ids").get(j).asLong();
                }
                assertArrayEquals(ids(b.root()), pyIds);
                List<String> cols = new ArrayList<>();
                pb.get("columns").forEach(n -> cols.add(n.asText()));
                assertEquals(requests.get(i).columns() == null ? List.of("id", "x", "s") : requests.get(i).columns(),
                    cols);
              }
            }
          }
          assertTrue(k > 0);
        }
      }
    }
  }
}

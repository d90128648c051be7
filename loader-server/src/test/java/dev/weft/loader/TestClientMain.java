package dev.weft.loader;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * A client process for {@link LoaderProcessTest}: {@code TestClientMain SOCKET HOLD} connects,
 * takes {@code HOLD} batches without releasing them, prints {@code holding N}, and waits (at most a
 * minute) to be killed.
 */
public final class TestClientMain {
  private TestClientMain() {}

  public static void main(String[] args) throws Exception {
    int hold = Integer.parseInt(args[1]);
    BufferAllocator alloc = new RootAllocator();
    WeftLoaderClient c = WeftLoaderClient.connect(Path.of(args[0]), alloc);
    WeftLoaderClient.Stream s = c.openStream(StreamRequest.builder().batchSize(25).maxInFlight(hold).build());
    List<WeftBatch> held = new ArrayList<>();
    for (int i = 0; i < hold; i++) {
      held.add(s.next());
    }
    System.out.println("holding " + held.size());
    System.out.flush();
    Thread.sleep(60_000);
    System.exit(3); // not killed: the test failed
  }
}

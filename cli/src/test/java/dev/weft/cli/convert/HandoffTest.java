package dev.weft.cli.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.junit.jupiter.api.Test;

class HandoffTest {
  @Test
  void itemsComeInOrderFromALiveProducer() throws Exception {
    BlockingQueue<Integer> q = new ArrayBlockingQueue<>(1);
    Thread producer = new Thread(() -> {
      try {
        for (int i = 0; i < 3; i++) {
          q.put(i);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "test-producer");
    producer.start();
    for (int i = 0; i < 3; i++) {
      assertEquals(i, Handoff.take(q, producer));
    }
    producer.join();
  }

  @Test
  void theLastItemOfAnEndedProducerIsStillTaken() throws Exception {
    BlockingQueue<String> q = new ArrayBlockingQueue<>(1);
    Thread producer = new Thread(() -> q.add("end"), "test-producer");
    producer.start();
    producer.join();
    assertEquals("end", Handoff.take(q, producer));
  }

  @Test
  void aProducerThatDiedWithoutAnItemFailsInsteadOfHanging() throws Exception {
    BlockingQueue<String> q = new ArrayBlockingQueue<>(1);
    Thread producer = new Thread(() -> {
      throw new StackOverflowError("dies before handing anything over");
    }, "weft-convert-reader");
    producer.setUncaughtExceptionHandler((t, e) -> { });
    producer.start();
    producer.join();
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> Handoff.take(q, producer));
    assertTrue(e.getMessage().contains("weft-convert-reader thread stopped without a result"), e.getMessage());
  }
}

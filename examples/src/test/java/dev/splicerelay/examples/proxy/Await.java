package dev.splicerelay.examples.proxy;

import java.time.Duration;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Waits in a test for what a proxy in another process does in its own time, and fails if it does not. */
final class Await {
    private static final Duration POLL = Duration.ofMillis(20);

    private Await() {
    }

    /** Polls {@code condition} until it holds; fails the test, naming {@code what}, after {@code limit}. */
    static void until(Duration limit, BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.sleep(POLL.toMillis());
        }
    }
}

package dev.splicerelay.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Waits in a test for what happens in its own time, on an event loop or in another process, and fails if it does
 * not. The condition is polled on the calling thread, so it must be safe to call from there.
 */
public final class Await {
    private static final Duration POLL = Duration.ofMillis(20);

    private Await() {
    }

    /** Polls {@code condition} until it holds; fails the test, naming {@code what}, after {@code limit}. */
    public static void until(Duration limit, BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.sleep(POLL.toMillis());
        }
    }
}

package dev.splicerelay.examples.proxy;

import java.io.IOException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * How the tests' backends serve: a daemon thread accepts connections while the server is open, and serves each on a
 * daemon thread of its own, so that a connection a test holds open holds up no other.
 */
final class AcceptLoop {
    /** Accepts the next connection; fails once the server is closed, which ends the loop. */
    interface Acceptor<T> {
        T accept() throws IOException;
    }

    private AcceptLoop() {
    }

    static <T> void start(String name, BooleanSupplier open, Acceptor<T> acceptor, Consumer<T> serve) {
        Thread accepting = new Thread(() -> {
            while (open.getAsBoolean()) {
                T connection;
                try {
                    connection = acceptor.accept();
                } catch (IOException e) {
                    // Closed at the end of the test: the loop ends.
                    continue;
                }
                Thread serving = new Thread(() -> serve.accept(connection), name + "-connection");
                serving.setDaemon(true);
                serving.start();
            }
        }, name);
        accepting.setDaemon(true);
        accepting.start();
    }
}

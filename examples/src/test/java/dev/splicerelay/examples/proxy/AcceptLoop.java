/*
 * Copyright 2026 The splice-relay developers
 *
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file except in compliance with
 * the License. You may obtain a copy of the License at
 *
 *     https://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software distributed under the License is distributed on
 * an "AS IS" BASIS, WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the License for the
 * specific language governing permissions and limitations under the License.
 */
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

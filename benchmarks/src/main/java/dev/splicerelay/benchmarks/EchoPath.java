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
package dev.splicerelay.benchmarks;

import java.net.InetSocketAddress;

/**
 * An echo server on loopback, reached directly or through a {@link LoopbackRelay}, as {@link RelayPath} says: the
 * fixture of the latency and churn benchmarks. Closing it closes the relay, then the echo server.
 */
final class EchoPath implements AutoCloseable {
    private final EchoServer echo;
    private final LoopbackRelay relay;

    private EchoPath(EchoServer echo, LoopbackRelay relay) {
        this.echo = echo;
        this.relay = relay;
    }

    static EchoPath start(RelayPath path) throws InterruptedException {
        EchoServer echo = EchoServer.start(new InetSocketAddress("127.0.0.1", 0));
        try {
            return new EchoPath(echo, path.relayed() ? LoopbackRelay.start(path, echo.address()) : null);
        } catch (InterruptedException | RuntimeException e) {
            echo.close();
            throw e;
        }
    }

    /** Where clients connect: the relay, or the echo server itself for {@link RelayPath#DIRECT}. */
    InetSocketAddress address() {
        return relay == null ? echo.address() : relay.address();
    }

    /** The relay, or {@code null} for {@link RelayPath#DIRECT}. */
    LoopbackRelay relay() {
        return relay;
    }

    @Override
    public void close() throws InterruptedException {
        try {
            if (relay != null) {
                relay.close();
            }
        } finally {
            echo.close();
        }
    }
}

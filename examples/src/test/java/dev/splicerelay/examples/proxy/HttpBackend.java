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

import com.sun.net.httpserver.HttpServer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A small HTTP server on 127.0.0.1 (the JDK's): {@code /} answers {@value #HELLO}, {@code /big} answers
 * {@link #BIG}'s bytes.
 */
final class HttpBackend implements AutoCloseable {
    static final String HELLO = "hello through splice-proxy";
    static final Payload BIG = new Payload(7, 16L << 20);

    private final HttpServer server;

    HttpBackend() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        byte[] hello = HELLO.getBytes(StandardCharsets.US_ASCII);
        server.createContext("/", exchange -> {
            exchange.sendResponseHeaders(200, hello.length);
            try (OutputStream body = exchange.getResponseBody()) {
                body.write(hello);
            }
        });
        ByteArrayOutputStream big = new ByteArrayOutputStream();
        BIG.writeTo(big);
        byte[] bigBytes = big.toByteArray();
        server.createContext("/big", exchange -> {
            exchange.sendResponseHeaders(200, bigBytes.length);
            try (OutputStream body = exchange.getResponseBody()) {
                body.write(bigBytes);
            }
        });
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

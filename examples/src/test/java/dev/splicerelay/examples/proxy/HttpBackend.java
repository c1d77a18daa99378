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

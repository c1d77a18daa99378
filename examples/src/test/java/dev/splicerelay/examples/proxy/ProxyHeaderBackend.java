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

import dev.splicerelay.testing.Streams;
import dev.splicerelay.testing.Streams.Transfer;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.util.HexFormat;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * A target behind {@code --send-proxy}: for each connection it takes the PROXY protocol header off the front, as its
 * framing alone defines it (version 1: a line up to CRLF; version 2: 16 bytes and the length they give) and keeps it
 * for the test, which compares it with the bytes the specification prescribes; then it answers as a
 * {@link HashingBackend} does, with the SHA-256 of the rest and {@code reply}.
 */
final class ProxyHeaderBackend implements AutoCloseable {
    /** A version 2 signature starts with CR; a version 1 header with "PROXY". */
    private static final int V2_FIRST_BYTE = 0x0D;

    private final ServerSocketChannel server;
    private final Payload reply;
    private final BlockingQueue<byte[]> headers = new LinkedBlockingQueue<>();

    ProxyHeaderBackend(Payload reply) throws IOException {
        this.server = ServerSocketChannel.open(StandardProtocolFamily.INET)
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        this.reply = reply;
        AcceptLoop.start("proxy-header-backend", server::isOpen, server::accept,
                connection -> serve(connection.socket()));
    }

    String target() {
        return "127.0.0.1:" + ((InetSocketAddress) server.socket().getLocalSocketAddress()).getPort();
    }

    /** The header of the next connection, within 10 s. */
    byte[] nextHeader() throws InterruptedException {
        byte[] header = headers.poll(10, TimeUnit.SECONDS);
        assertNotNull(header, "no connection with a PROXY header within 10 s");
        return header;
    }

    @Override
    public void close() throws IOException {
        server.close();
    }

    private void serve(Socket connection) {
        try (connection) {
            DataInputStream in = new DataInputStream(connection.getInputStream());
            headers.add(readHeader(in));
            Transfer rest = Streams.receive(in);
            OutputStream out = connection.getOutputStream();
            out.write(HexFormat.of().parseHex(rest.sha256()));
            reply.writeTo(out);
        } catch (IOException e) {
            // The test sees what is missing.
        }
    }

    private static byte[] readHeader(DataInputStream in) throws IOException {
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        int first = in.read();
        header.write(first);
        if (first != V2_FIRST_BYTE) {
            // Version 1: "PROXY ..." up to CRLF.
            int previous = first;
            for (int b; (b = in.read()) >= 0; previous = b) {
                header.write(b);
                if (previous == '\r' && b == '\n') {
                    break;
                }
            }
            return header.toByteArray();
        }
        byte[] start = new byte[15];
        in.readFully(start);
        header.writeBytes(start);
        byte[] addresses = new byte[((start[13] & 0xFF) << 8) | (start[14] & 0xFF)];
        in.readFully(addresses);
        header.writeBytes(addresses);
        return header.toByteArray();
    }
}

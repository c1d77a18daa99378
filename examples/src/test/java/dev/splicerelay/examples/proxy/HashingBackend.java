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

import dev.splicerelay.testing.ChannelStreams;
import dev.splicerelay.testing.Streams;
import dev.splicerelay.testing.Streams.Transfer;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A target on 127.0.0.1 (or on a Unix domain socket, see {@link #unix}) that answers only after the client has ended
 * its side: it reads each connection to its end, waits {@code delay}, then writes the SHA-256 of what it read (32
 * bytes) followed by {@code reply}, and closes. So a test sees both directions' integrity and the relay of a
 * half-close at once.
 */
final class HashingBackend implements AutoCloseable {
    private final ServerSocketChannel server;
    private final SocketAddress address;
    private final Payload reply;
    private final Duration delay;
    private final List<SocketChannel> connections = new CopyOnWriteArrayList<>();

    HashingBackend(Payload reply, Duration delay) throws IOException {
        this(ServerSocketChannel.open(StandardProtocolFamily.INET)
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 200), reply, delay);
    }

    private HashingBackend(ServerSocketChannel server, Payload reply, Duration delay) throws IOException {
        this.server = server;
        this.address = server.getLocalAddress();
        this.reply = reply;
        this.delay = delay;
        AcceptLoop.start("hashing-backend", server::isOpen, () -> {
            SocketChannel connection = server.accept();
            connections.add(connection);
            return connection;
        }, this::serve);
    }

    /** A backend listening on a Unix domain socket at {@code path}, which must not exist yet. */
    static HashingBackend unix(Path path, Payload reply, Duration delay) throws IOException {
        return new HashingBackend(ServerSocketChannel.open(StandardProtocolFamily.UNIX)
                .bind(UnixDomainSocketAddress.of(path), 200), reply, delay);
    }

    /** The TCP port; only for a TCP backend. */
    int port() {
        return ((InetSocketAddress) address).getPort();
    }

    /** The backend as {@code --target} and {@code --allow} write it: {@code 127.0.0.1:PORT} or {@code unix:PATH}. */
    String target() {
        return address instanceof UnixDomainSocketAddress unix ? "unix:" + unix.getPath() : "127.0.0.1:" + port();
    }

    /**
     * The client's side of one exchange on a connected {@code socket}: sends {@code request}, ends its side, reads the
     * backend's digest of the request and then the reply to its end.
     */
    static Exchange exchange(Socket socket, Payload request) throws IOException {
        return exchange(socket.getInputStream(), socket.getOutputStream(), socket::shutdownOutput, request);
    }

    /** {@link #exchange(Socket, Payload)} on a connected, blocking channel, of a Unix domain socket for example. */
    static Exchange exchange(SocketChannel channel, Payload request) throws IOException {
        return exchange(ChannelStreams.in(channel), ChannelStreams.out(channel), channel::shutdownOutput, request);
    }

    private static Exchange exchange(InputStream input, OutputStream output, OutputShutdown shutdownOutput,
                                     Payload request) throws IOException {
        request.writeTo(output);
        shutdownOutput.run();
        return Exchange.read(input);
    }

    private interface OutputShutdown {
        void run() throws IOException;
    }

    /** What a client got back: the backend's SHA-256 of the request (hex, as {@link Payload#sha256()}), and the reply. */
    record Exchange(String requestDigest, Transfer reply) {
        /** Reads a backend's answer from {@code in} to its end: the 32 bytes of the digest, then the reply. */
        static Exchange read(InputStream in) throws IOException {
            byte[] digest = new byte[32];
            new DataInputStream(in).readFully(digest);
            return new Exchange(HexFormat.of().formatHex(digest), Streams.receive(in));
        }
    }

    /** Connections accepted so far, including those still being served. */
    int accepted() {
        return connections.size();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (SocketChannel connection : connections) {
            connection.close();
        }
    }

    private void serve(SocketChannel connection) {
        try (connection) {
            Transfer request = Streams.receive(ChannelStreams.in(connection));
            Thread.sleep(delay.toMillis());
            OutputStream out = ChannelStreams.out(connection);
            out.write(HexFormat.of().parseHex(request.sha256()));
            reply.writeTo(out);
        } catch (IOException | InterruptedException e) {
            // The test that closed the connection early checks what it expects itself.
        }
    }
}

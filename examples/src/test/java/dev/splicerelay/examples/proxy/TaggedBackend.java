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
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A target on 127.0.0.1 that tells its clients which target they reached: on accepting, it writes its one-byte tag,
 * then reads the connection to its end and closes it. {@link #stop()} kills it (listening socket and connections);
 * {@link #restart()} listens again on the same port, as a target that comes back.
 */
final class TaggedBackend implements AutoCloseable {
    private final int tag;
    private final int port;
    private final AtomicInteger accepted = new AtomicInteger();
    private final List<Socket> connections = new CopyOnWriteArrayList<>();
    private volatile ServerSocket server;

    TaggedBackend(int tag) throws IOException {
        this(tag, 0);
    }

    private TaggedBackend(int tag, int port) throws IOException {
        this.tag = tag;
        this.server = listen(port);
        this.port = server.getLocalPort();
    }

    String target() {
        return "127.0.0.1:" + port;
    }

    int tag() {
        return tag;
    }

    /** Connections accepted so far. */
    int accepted() {
        return accepted.get();
    }

    /** Connections accepted and not yet ended by their client. */
    int open() {
        return (int) connections.stream().filter(socket -> !socket.isClosed()).count();
    }

    void stop() throws IOException {
        server.close();
        for (Socket connection : connections) {
            connection.close();
        }
    }

    void restart() throws IOException {
        server = listen(port);
    }

    @Override
    public void close() throws IOException {
        stop();
    }

    private ServerSocket listen(int onPort) throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort), 500);
        AcceptLoop.start("tagged-backend-" + tag, () -> !socket.isClosed(), () -> {
            Socket connection = socket.accept();
            accepted.incrementAndGet();
            connections.add(connection);
            return connection;
        }, this::serve);
        return socket;
    }

    private void serve(Socket connection) {
        try (connection) {
            connection.getOutputStream().write(tag);
            InputStream in = connection.getInputStream();
            while (in.read(new byte[4096]) >= 0) {
                // until the client ends its side
            }
        } catch (IOException e) {
            // Stopped, or the client reset: the test checks what it expects itself.
        }
    }

    /**
     * Connects a client through the proxy at {@code proxyPort}; returns it once it has read the tag of the target it
     * reached. The client keeps its side open until the caller closes it.
     */
    static Client connect(int proxyPort) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxyPort);
        socket.setSoTimeout(15_000);
        int tag = socket.getInputStream().read();
        return new Client(socket, tag);
    }

    /** A client through the proxy, and the tag of the target it reached (-1 if the proxy closed it instead). */
    record Client(Socket socket, int tag) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}

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

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A loopback server that reads {@link BlockStream}s and checks every byte against the expected block: one blocking
 * thread per connection. Each connection starts with an 8-byte id chosen by its client, so the client can find the
 * sink side of its own stream through a relay ({@link #awaitConnection}) and wait for its bytes to arrive.
 */
final class BlockSink implements AutoCloseable {
    private static final int READ_BUFFER = 256 * 1024;

    private final ServerSocketChannel server;
    private final Path socketFile;
    private final Map<Long, Connection> connections = new ConcurrentHashMap<>();
    private final Thread acceptor;

    private BlockSink(ServerSocketChannel server, Path socketFile) {
        this.server = server;
        this.socketFile = socketFile;
        this.acceptor = new Thread(this::acceptLoop, "block-sink-accept");
        this.acceptor.setDaemon(true);
    }

    /** A sink on an ephemeral loopback TCP port. */
    static BlockSink start() throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress("127.0.0.1", 0), 64);
        return start(server, null);
    }

    /** A sink on a Unix domain socket in a new temporary directory, removed by {@link #close()}. */
    static BlockSink startUnix() throws IOException {
        Path file = Files.createTempDirectory("block-sink").resolve("sink.sock");
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(file), 64);
        return start(server, file);
    }

    private static BlockSink start(ServerSocketChannel server, Path socketFile) {
        BlockSink sink = new BlockSink(server, socketFile);
        sink.acceptor.start();
        return sink;
    }

    /** An {@link InetSocketAddress}, or a {@link UnixDomainSocketAddress}. */
    SocketAddress address() throws IOException {
        return server.getLocalAddress();
    }

    private void acceptLoop() {
        try {
            for (;;) {
                SocketChannel ch = server.accept();
                Thread reader = new Thread(() -> readLoop(ch), "block-sink-read");
                reader.setDaemon(true);
                reader.start();
            }
        } catch (ClosedChannelException e) {
            // close() was called: the normal way out.
        } catch (IOException e) {
            throw new IllegalStateException("sink accept failed", e);
        }
    }

    private void readLoop(SocketChannel ch) {
        Connection c = null;
        try (ch) {
            ByteBuffer id = ByteBuffer.allocate(Long.BYTES);
            while (id.hasRemaining()) {
                if (ch.read(id) < 0) {
                    return;
                }
            }
            c = connections.computeIfAbsent(id.getLong(0), k -> new Connection());
            c.run(ch);
        } catch (IOException | RuntimeException e) {
            if (c != null) {
                c.fail("sink read failed after " + c.received + " bytes: " + e);
            }
        }
    }

    /** The sink side of the client stream that sent {@code id} first, once it has arrived. */
    Connection awaitConnection(long id, long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        for (;;) {
            Connection c = connections.get(id);
            if (c != null) {
                return c;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("stream " + id + " did not reach the sink within " + timeout + " "
                        + unit);
            }
            Thread.sleep(1);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        if (socketFile != null) {
            Files.deleteIfExists(socketFile);
            Files.deleteIfExists(socketFile.getParent());
        }
    }

    /** The sink side of one stream: how many bytes arrived, all checked, and whether the stream has ended. */
    static final class Connection {
        private volatile long received;
        private volatile boolean ended;
        private volatile String failure;
        private volatile Thread waiter;
        private volatile long wanted = Long.MAX_VALUE;

        private void run(SocketChannel ch) throws IOException {
            ByteBuffer expected = BlockStream.newBlock();
            ByteBuffer buf = ByteBuffer.allocateDirect(READ_BUFFER);
            long block = 0;
            int offset = 0;
            long count = 0;
            for (;;) {
                buf.clear();
                int n = ch.read(buf);
                if (n < 0) {
                    ended = true;
                    wake();
                    return;
                }
                buf.flip();
                while (buf.hasRemaining()) {
                    int len = Math.min(buf.remaining(), BlockStream.BLOCK_SIZE - offset);
                    int mismatch = buf.slice(buf.position(), len).mismatch(expected.slice(offset, len));
                    if (mismatch >= 0) {
                        fail("corrupt stream: byte " + (count + mismatch) + " (block " + block + ", offset "
                                + (offset + mismatch) + ") differs from what was sent");
                        return;
                    }
                    buf.position(buf.position() + len);
                    count += len;
                    offset += len;
                    if (offset == BlockStream.BLOCK_SIZE) {
                        offset = 0;
                        BlockStream.number(expected, ++block);
                    }
                }
                received = count;
                if (count >= wanted) {
                    wake();
                }
            }
        }

        private void fail(String why) {
            if (failure == null) {
                failure = why;
            }
            wake();
        }

        private void wake() {
            Thread w = waiter;
            if (w != null) {
                LockSupport.unpark(w);
            }
        }

        /** Waits until {@code bytes} stream bytes (after the id) have arrived intact; throws on corruption or stall. */
        void awaitReceived(long bytes, long timeout, TimeUnit unit) {
            if (received >= bytes) {
                checkHealthy();
                return;
            }
            long deadline = System.nanoTime() + unit.toNanos(timeout);
            waiter = Thread.currentThread();
            wanted = bytes;
            try {
                while (received < bytes) {
                    checkHealthy();
                    if (ended) {
                        throw new IllegalStateException("short transfer: the stream ended after " + received
                                + " of " + bytes + " bytes");
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new IllegalStateException("stalled: " + received + " of " + bytes
                                + " bytes arrived within " + timeout + " " + unit);
                    }
                    LockSupport.parkNanos(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(10)));
                }
            } finally {
                wanted = Long.MAX_VALUE;
                waiter = null;
            }
        }

        /** Waits until the stream has ended, then checks that exactly {@code bytes} arrived intact. */
        void awaitEnd(long bytes, long timeout, TimeUnit unit) throws InterruptedException {
            long deadline = System.nanoTime() + unit.toNanos(timeout);
            while (!ended && failure == null) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("the stream did not end within " + timeout + " " + unit
                            + " after " + received + " of " + bytes + " bytes");
                }
                Thread.sleep(1);
            }
            checkHealthy();
            if (received != bytes) {
                throw new IllegalStateException("the stream ended after " + received + " bytes, " + bytes
                        + " were sent");
            }
        }

        /** Why the sink gave up on this stream, or {@code null}. */
        String failure() {
            return failure;
        }

        private void checkHealthy() {
            String f = failure;
            if (f != null) {
                throw new IllegalStateException(f);
            }
        }
    }
}

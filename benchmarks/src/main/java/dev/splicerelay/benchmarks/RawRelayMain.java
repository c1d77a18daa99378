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

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoEvent;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.unix.FileDescriptor;
import io.netty.util.concurrent.Future;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A reference point for {@code peers.sh} and {@code peers-syscalls.sh}, without splice-relay and without Netty
 * channels: what a JVM relay costs per connection when it accepts, connects, reads, writes and closes its sockets
 * itself, on Netty's epoll event loop through Netty 4.2's I/O registration API (the API splice-relay's own splice
 * engine uses to move bytes). It answers whether the JVM or the Netty channel per connection limits the connection
 * rate of a relay built on Netty.
 *
 * <pre>
 * java -cp benchmarks.jar dev.splicerelay.benchmarks.RawRelayMain --listen 127.0.0.1:20001 \
 *      --target 127.0.0.1:21001 --threads 1
 * </pre>
 *
 * <p>Each event loop has its own listening socket ({@code SO_REUSEPORT}); an accepted connection and its outbound one
 * are registered once each, edge-triggered for reading, writing and the peer's FIN, and never modified, as HAProxy
 * does. Bytes are read into one buffer per loop and written at once; a partial write keeps its rest and stops reading
 * that direction until the sink takes it (backpressure). A FIN is passed on with {@code shutdown(SHUT_WR)}, a reset
 * or an error closes both sockets. It is not a complete relay: no connect or idle timeout, no splicing, epoll only.
 * Threading: each connection lives on the loop that accepted it.
 */
public final class RawRelayMain {
    private static final int IN = EpollIoOps.EPOLLIN.value();
    private static final int OUT = EpollIoOps.EPOLLOUT.value();
    private static final int ERR = EpollIoOps.EPOLLERR.value();
    private static final int RDHUP = EpollIoOps.EPOLLRDHUP.value();
    /** epoll's {@code EPOLLHUP}, which {@link EpollIoOps} does not name. */
    private static final int HUP = 0x10;
    private static final EpollIoOps SOCKET_INTEREST = EpollIoOps.valueOf(IN | OUT | RDHUP | EpollIoOps.EPOLLET.value());
    private static final int READ_BUFFER = 64 * 1024;

    private final EventLoopGroup group;
    private final List<LinuxSocket> listeners;
    private final InetSocketAddress localAddress;

    private RawRelayMain(EventLoopGroup group, List<LinuxSocket> listeners) {
        this.group = group;
        this.listeners = listeners;
        this.localAddress = listeners.get(0).localAddress();
    }

    public static void main(String[] argv) throws Exception {
        Args args = Args.parse(argv, "--listen", "--target", "--threads");
        InetSocketAddress target = args.address("--target", null);
        int threads = Integer.parseInt(args.get("--threads", "1"));
        RawRelayMain relay = start(args.address("--listen", null), target, threads);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            relay.stop();
            stopped.countDown();
        }));
        System.out.println("raw relay listening on " + relay.localAddress() + ", target " + target + ", threads "
                + threads);
        stopped.await();
    }

    /**
     * Starts {@code threads} event loops, each listening on {@code listen} (port 0: one port chosen for all) and
     * relaying to {@code target}.
     */
    static RawRelayMain start(InetSocketAddress listen, InetSocketAddress target, int threads) throws Exception {
        Epoll.ensureAvailability();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads, EpollIoHandler.newFactory());
        List<LinuxSocket> listeners = new ArrayList<>();
        InetSocketAddress address = listen;
        for (int i = 0; i < threads; i++) {
            IoEventLoop loop = (IoEventLoop) group.next();
            LinuxSocket socket = LinuxSocket.newSocketStream(false);
            listeners.add(socket);
            socket.setReuseAddress(true);
            socket.setReusePort(true);
            socket.bind(address);
            socket.listen(4096);
            address = socket.localAddress();
            loop.submit(() -> register(loop, new Acceptor(loop, socket, target), EpollIoOps.valueOf(
                    IN | EpollIoOps.EPOLLET.value()))).sync();
        }
        return new RawRelayMain(group, listeners);
    }

    InetSocketAddress localAddress() {
        return localAddress;
    }

    /** Stops the loops; a connection still open is closed with its loop. */
    void stop() {
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        listeners.forEach(RawRelayMain::closeQuietly);
    }

    /** Registers {@code handle} with its first interest, which is epoll's {@code ADD}; on the loop. */
    private static IoRegistration register(IoEventLoop loop, EpollIoHandle handle, EpollIoOps interest)
            throws IOException {
        Future<IoRegistration> registered = loop.register(handle);
        if (!registered.isSuccess()) {
            throw new IOException("cannot register fd " + handle.fd().intValue(), registered.cause());
        }
        IoRegistration registration = registered.getNow();
        registration.submit(interest);
        return registration;
    }

    private static void closeQuietly(FileDescriptor fd) {
        try {
            fd.close();
        } catch (IOException ignored) {
            // Closing: nothing left to do with it.
        }
    }

    /** A socket registered with the event loop: the part both of its handles share. */
    private abstract static class SocketHandle implements EpollIoHandle {
        final LinuxSocket socket;

        SocketHandle(LinuxSocket socket) {
            this.socket = socket;
        }

        @Override
        public final FileDescriptor fd() {
            return socket;
        }
    }

    /** The listening socket of one loop: accepts until the queue is empty and starts a connection for each. */
    private static final class Acceptor extends SocketHandle {
        private final IoEventLoop loop;
        private final InetSocketAddress target;
        private final byte[] address = new byte[26];
        private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER);

        Acceptor(IoEventLoop loop, LinuxSocket socket, InetSocketAddress target) {
            super(socket);
            this.loop = loop;
            this.target = target;
        }

        @Override
        public void handle(IoRegistration registration, IoEvent event) {
            int fd;
            try {
                while ((fd = socket.accept(address)) >= 0) {
                    new Connection(loop, LinuxSocket.newSocket(fd), readBuffer).connect(target);
                }
            } catch (IOException e) {
                System.err.println("accept: " + e);
            }
        }

        @Override
        public void close() {
            closeQuietly(socket);
        }
    }

    /** An accepted connection and its outbound one; on the loop that accepted it. */
    private static final class Connection {
        private final IoEventLoop loop;
        private final ByteBuffer readBuffer;
        private final Side inbound;
        private Side outbound;
        private boolean connected;
        private boolean closed;

        Connection(IoEventLoop loop, LinuxSocket accepted, ByteBuffer readBuffer) {
            this.loop = loop;
            this.readBuffer = readBuffer;
            this.inbound = new Side(accepted);
        }

        void connect(InetSocketAddress target) {
            try {
                inbound.socket.setTcpNoDelay(true);
                outbound = new Side(LinuxSocket.newSocketStream(false));
                outbound.socket.setTcpNoDelay(true);
                connected = outbound.socket.connect(target);
                inbound.registration = register(loop, inbound, SOCKET_INTEREST);
                outbound.registration = register(loop, outbound, SOCKET_INTEREST);
                if (connected) {
                    pump(inbound, outbound, true);
                }
            } catch (IOException e) {
                close();
            }
        }

        void ready(Side side, int ops) {
            try {
                if (!connected) {
                    if (side != outbound || (ops & (OUT | ERR)) == 0) {
                        return; // the inbound side is read once the outbound one is connected
                    }
                    connected = outbound.socket.finishConnect();
                    if (!connected) {
                        return;
                    }
                    // Its bytes or FIN may have come while it was not read, their edges gone: read until it is empty.
                    pump(inbound, outbound, true);
                }
                if ((ops & OUT) != 0 && side.pending != null) {
                    drain(side);
                }
                if ((ops & (IN | RDHUP | HUP | ERR)) != 0) {
                    pump(side, other(side), (ops & (RDHUP | HUP | ERR)) != 0);
                }
            } catch (IOException e) {
                close();
            }
        }

        private Side other(Side side) {
            return side == inbound ? outbound : inbound;
        }

        /**
         * Reads from {@code source} and writes to {@code sink} until the source has nothing now, its end of stream, or
         * a write the sink does not take at once. Unless {@code untilEmpty} (the peer's FIN was reported, or an edge
         * may have been missed), a short read ends it, as in Netty: the next bytes bring a new edge.
         */
        private void pump(Side source, Side sink, boolean untilEmpty) throws IOException {
            while (!closed && !source.eof && sink.pending == null) {
                int n = source.socket.recv(readBuffer, 0, readBuffer.capacity());
                if (n == 0) {
                    return;
                }
                if (n < 0) {
                    source.eof = true;
                    endOfStream(sink);
                    return;
                }
                int written = sink.socket.send(readBuffer, 0, n);
                if (written < n) {
                    ByteBuffer rest = ByteBuffer.allocateDirect(n - written);
                    rest.put(readBuffer.duplicate().position(written).limit(n)).flip();
                    sink.pending = rest;
                    return;
                }
                if (n < readBuffer.capacity() && !untilEmpty) {
                    return;
                }
            }
        }

        /** Writes what {@code sink} still holds; once it is all written, the direction into it goes on. */
        private void drain(Side sink) throws IOException {
            ByteBuffer rest = sink.pending;
            int written = sink.socket.send(rest, rest.position(), rest.limit());
            rest.position(rest.position() + written);
            if (rest.hasRemaining()) {
                return;
            }
            sink.pending = null;
            Side source = other(sink);
            if (source.eof) {
                endOfStream(sink);
            } else {
                pump(source, sink, true);
            }
        }

        /**
         * The source of the direction into {@code sink} ended, and everything before its FIN was written: the FIN goes
         * on with {@code shutdown(SHUT_WR)}, or, if the other direction is done too, with the close of both sockets.
         */
        private void endOfStream(Side sink) throws IOException {
            if (sink.eof && other(sink).pending == null) {
                close();
            } else {
                sink.socket.shutdown(false, true);
            }
        }

        void close() {
            if (closed) {
                return;
            }
            closed = true;
            // Closed before cancelled: Netty then skips epoll's DEL, as the kernel drops a closed fd by itself.
            for (Side side : new Side[] {inbound, outbound}) {
                if (side != null) {
                    closeQuietly(side.socket);
                    if (side.registration != null) {
                        side.registration.cancel();
                    }
                }
            }
        }

        /** One socket of the connection and what is still to be written to it. */
        private final class Side extends SocketHandle {
            IoRegistration registration;
            ByteBuffer pending;
            boolean eof;

            Side(LinuxSocket socket) {
                super(socket);
            }

            @Override
            public void handle(IoRegistration registration, IoEvent event) {
                ready(this, ((EpollIoEvent) event).ops().value());
            }

            @Override
            public void close() {
                Connection.this.close();
            }
        }
    }
}

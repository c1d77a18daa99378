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
package dev.splicerelay;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.FileDescriptor;
import io.netty.util.Version;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Fails loudly when a Netty upgrade changes what the own splice engine relies on (see {@link EpollIo}): the I/O
 * registration API, {@code Native.splice} reporting EAGAIN and end of stream both as 0 and resets by message, the
 * idle interest set, cancellation by fd number, the handle's close at event-loop shutdown, and that an exception in
 * a listener does not stall the event loop.
 */
@Timeout(30)
class EpollIoTest {
    private EventLoopGroup group;
    private Channel server;
    private final BlockingQueue<Channel> accepted = new LinkedBlockingQueue<>();

    @BeforeEach
    void startServer() throws Exception {
        assumeTrue(Epoll.isAvailable(), "needs epoll");
        assumeTrue(EpollIo.unavailableReason() == null, EpollIo::unavailableReason);
        group = RelayCase.EPOLL_SPLICE_OWN.newGroup(1);
        server = new ServerBootstrap().group(group).channel(RelayCase.EPOLL_SPLICE_OWN.serverChannelClass())
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        accepted.add(ch);
                    }
                })
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
    }

    @AfterEach
    void stopServer() throws Exception {
        if (group != null && !group.isShuttingDown()) {
            server.close().sync();
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void theRegistrationApiExistsExactlyFromNetty42On() {
        String version = Version.identify().get("netty-transport").artifactVersion();
        if (version.startsWith("4.1.")) {
            assertNotNull(EpollIo.unavailableReason(), version);
        } else {
            assertNull(EpollIo.unavailableReason(), () -> version + ": " + EpollIo.unavailableReason());
        }
    }

    @Test
    void spliceReportsNoDataYetAndEndOfStreamBothAsZero() throws Exception {
        try (Socket client = connect()) {
            Channel ch = deregistered(accepted.take());
            Pipe pipe = onLoop(ch, Pipe::open);
            Pipe sink = onLoop(ch, Pipe::open);
            try {
                FileDescriptor socket = EpollIo.socket(ch);
                assertEquals(0, onLoop(ch, () -> EpollIo.splice(socket, pipe.writeEnd(), 65536)), "no data yet");
                client.getOutputStream().write(new byte[] {1, 2, 3, 4, 5});
                assertEquals(5, awaitSplice(ch, socket, pipe.writeEnd()), "the bytes");
                assertEquals(5, onLoop(ch, () -> EpollIo.splice(pipe.readEnd(), sink.writeEnd(), 5)), "out of the pipe");
                client.shutdownOutput();
                Thread.sleep(100);
                assertEquals(0, onLoop(ch, () -> EpollIo.splice(socket, pipe.writeEnd(), 65536)), "end of stream");
            } finally {
                onLoop(ch, () -> {
                    pipe.close();
                    sink.close();
                    return null;
                });
                ch.eventLoop().register(ch).sync();
                ch.close().sync();
            }
        }
    }

    @Test
    void aResetComesOutOfSpliceAsAnExceptionThatSaysReset() throws Exception {
        Channel ch;
        try (Socket client = connect()) {
            ch = deregistered(accepted.take());
            client.setSoLinger(true, 0);
        }
        Pipe pipe = onLoop(ch, Pipe::open);
        FileDescriptor socket = EpollIo.socket(ch);
        Thread.sleep(100);
        IOException reset = assertThrows(IOException.class, () -> {
            try {
                onLoop(ch, () -> EpollIo.splice(socket, pipe.writeEnd(), 65536));
            } catch (java.util.concurrent.ExecutionException e) {
                throw e.getCause();
            }
        });
        assertTrue(reset.getMessage().contains("reset"), reset::toString);
        onLoop(ch, () -> {
            pipe.close();
            return null;
        });
        ch.eventLoop().register(ch).sync();
        ch.close().sync();
    }

    @Test
    void interestGoesIdleAndComesBackAndCancelStopsEvents() throws Exception {
        try (Socket client = connect()) {
            Channel ch = deregistered(accepted.take());
            BlockingQueue<Integer> events = new LinkedBlockingQueue<>();
            EpollIo.Registration registration = onLoop(ch, () -> {
                EpollIo.Registration r = EpollIo.register(ch.eventLoop(), EpollIo.socket(ch), listener(events));
                r.interest(EpollIo.IN | EpollIo.RDHUP);
                return r;
            });
            OutputStream out = client.getOutputStream();
            out.write(1);
            Integer ops = events.poll(5, TimeUnit.SECONDS);
            assertNotNull(ops, "no EPOLLIN for readable data");
            assertTrue((ops & EpollIo.IN) != 0, "ops " + ops);

            onLoop(ch, () -> {
                registration.interest(0);
                return null;
            });
            events.clear();
            out.write(2);
            assertNull(events.poll(300, TimeUnit.MILLISECONDS), "an event while idle");

            // On Netty 4.2.13 to 4.2.18 an empty interest set removed the fd, and this threw ENOENT.
            onLoop(ch, () -> {
                registration.interest(EpollIo.IN);
                return null;
            });
            assertNotNull(events.poll(5, TimeUnit.SECONDS), "no EPOLLIN after going idle and back");

            onLoop(ch, () -> {
                registration.cancel();
                return null;
            });
            events.clear();
            out.write(3);
            assertNull(events.poll(300, TimeUnit.MILLISECONDS), "an event after cancel");
            ch.eventLoop().register(ch).sync();
            ch.close().sync();
        }
    }

    @Test
    void cancellingAfterTheSocketClosedIsHarmlessForTheNextOwnerOfItsNumber() throws Exception {
        try (Socket client = connect()) {
            Channel ch = deregistered(accepted.take());
            EventLoop loop = ch.eventLoop();
            BlockingQueue<Integer> stale = new LinkedBlockingQueue<>();
            BlockingQueue<Integer> fresh = new LinkedBlockingQueue<>();
            int number = EpollIo.socket(ch).intValue();
            // What the engine does when someone closes a channel it holds: cancel inside close(), before any other
            // code can open a descriptor; Netty then skips EPOLL_CTL_DEL, as the socket is closed.
            Pipe pipe = onLoop(ch, () -> {
                EpollIo.Registration old = EpollIo.register(loop, EpollIo.socket(ch), listener(stale));
                old.interest(EpollIo.IN);
                ch.close();
                old.cancel();
                Pipe reused = Pipe.open();
                EpollIo.register(loop, reused.readEnd(), listener(fresh)).interest(EpollIo.IN);
                return reused;
            });
            try {
                assumeTrue(pipe.readEnd().intValue() == number, "the kernel gave the pipe another number");
                ByteBuffer seven = ByteBuffer.allocateDirect(1).put((byte) 7).flip();
                pipe.writeEnd().write(seven, 0, 1);
                assertNotNull(fresh.poll(5, TimeUnit.SECONDS), "the reused number gets no events");
                assertTrue(stale.isEmpty(), "the closed socket's handle got " + stale);
            } finally {
                // The group's shutdown cancels the pipe's registration; close the pipe after it.
                group.shutdownGracefully(0, 2, TimeUnit.SECONDS).sync();
                pipe.close();
            }
        }
    }

    @Test
    void theEventLoopsShutdownClosesTheHandle() throws Exception {
        try (Socket client = connect()) {
            Channel ch = deregistered(accepted.take());
            CountDownLatch closing = new CountDownLatch(1);
            onLoop(ch, () -> {
                EpollIo.register(ch.eventLoop(), EpollIo.socket(ch), new EpollIo.Listener() {
                    @Override
                    public void ready(int ops) {
                    }

                    @Override
                    public void loopClosing() {
                        closing.countDown();
                        ch.close();
                    }
                }).interest(EpollIo.IN);
                return null;
            });
            // With a quiet period of 0, Netty skips closing handles if the shutdown lands while the loop runs tasks.
            group.shutdownGracefully(100, 2000, TimeUnit.MILLISECONDS).sync();
            assertTrue(closing.await(5, TimeUnit.SECONDS), "loopClosing was not called");
        }
    }

    @Test
    void aListenerThatThrowsDoesNotStallTheEventLoop() throws Exception {
        try (Socket client = connect()) {
            Channel ch = deregistered(accepted.take());
            CompletableFuture<Void> thrown = new CompletableFuture<>();
            EpollIo.Registration registration = onLoop(ch, () -> {
                EpollIo.Registration r = EpollIo.register(ch.eventLoop(), EpollIo.socket(ch), new EpollIo.Listener() {
                    @Override
                    public void ready(int ops) {
                        thrown.complete(null);
                        throw new IllegalStateException("thrown on purpose");
                    }

                    @Override
                    public void loopClosing() {
                    }
                });
                r.interest(EpollIo.IN);
                return r;
            });
            client.getOutputStream().write(1);
            thrown.get(5, TimeUnit.SECONDS);
            long start = System.nanoTime();
            onLoop(ch, () -> {
                registration.cancel();
                return null;
            });
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            // Netty sleeps for a second after an exception escapes a handle.
            assertTrue(millis < 500, "the event loop answered after " + millis + " ms");
            ch.eventLoop().register(ch).sync();
            ch.close().sync();
        }
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), ((InetSocketAddress) server.localAddress()).getPort());
        socket.setSoTimeout(10_000);
        return socket;
    }

    private static Channel deregistered(Channel ch) throws Exception {
        ch.deregister().sync();
        return ch;
    }

    private static <T> T onLoop(Channel ch, Callable<T> task) throws Exception {
        return ch.eventLoop().submit(task).get(10, TimeUnit.SECONDS);
    }

    private static int awaitSplice(Channel ch, FileDescriptor from, FileDescriptor to) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        int n;
        while ((n = onLoop(ch, () -> EpollIo.splice(from, to, 65536))) == 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return n;
    }

    private static EpollIo.Listener listener(BlockingQueue<Integer> events) {
        return new EpollIo.Listener() {
            @Override
            public void ready(int ops) {
                events.add(ops);
            }

            @Override
            public void loopClosing() {
            }
        };
    }
}

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

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.AbstractEpollStreamChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.unix.FileDescriptor;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A channel with {@code SO_LINGER} above 0 is closed by Netty on {@code GlobalEventExecutor}, not on its event loop:
 * its close future completes there, after the socket and (for {@code spliceTo}) the pipe it owns are closed, while
 * the other channel of the relay may still splice into that pipe's fd number on the event loop. Any fd opened
 * meanwhile may get the number. So the relay never splices such channels: the bytes must never reach a descriptor the
 * relay does not own.
 *
 * <p>The test makes the race happen every time. With the relay's loop held, a byte reaches a channel of the test on
 * that loop, then the client's bytes reach the relay's inbound channel: epoll reports both in one batch, the test's
 * channel first. Its handler closes the lingering peer, waits until Netty has closed it on the other thread and opens
 * a pipe whose write end gets the peer's pipe's number (descriptors on {@code /dev/null} take the free numbers below
 * it); then the loop handles the inbound channel's readiness in the same batch.
 */
@Timeout(30)
class LingeringChannelTest {
    private static final int CLIENT_BYTES = 1000;

    @Test
    void bytesNeverReachTheFdNumbersALingeringPeersCloseFreed() throws Exception {
        CompletableFuture<ChannelFuture> peerConnect = new CompletableFuture<>();
        try (RelayFixture fixture = new RelayFixture(RelayCase.EPOLL_SPLICE, f -> new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ChannelFuture connect = f.connectPeer(ch);
                connect.channel().config().setOption(ChannelOption.SO_LINGER, 5);
                f.relay(ch, RelayConfig.defaults(), connect);
                peerConnect.complete(connect);
            }
        });
             Socket client = fixture.connect();
             Socket backend = fixture.acceptBackend();
             ServerSocket blockerServer = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            RelayFixture.Relayed relay = fixture.nextRelay();
            client.getOutputStream().write(new byte[CLIENT_BYTES]);
            assertEquals(CLIENT_BYTES, backend.getInputStream().readNBytes(CLIENT_BYTES).length, "the relay runs");
            Channel peer = peerConnect.get().channel();
            int peerPipe = pipeOutNumber(peer);
            EventLoop loop = relay.inbound().eventLoop();
            Occupier occupier = new Occupier(peer, peerPipe);
            Channel blocker = new Bootstrap().group(loop).channel(EpollSocketChannel.class).handler(occupier)
                    .connect(blockerServer.getLocalSocketAddress()).sync().channel();
            try (Socket blockerRemote = blockerServer.accept()) {
                // A loop iteration first, so that no earlier readiness of the inbound channel is still queued.
                loop.submit(() -> { }).get(5, TimeUnit.SECONDS);
                CountDownLatch release = new CountDownLatch(1);
                loop.execute(() -> awaitQuietly(release));
                blockerRemote.getOutputStream().write(1);
                Thread.sleep(20);
                client.getOutputStream().write(new byte[CLIENT_BYTES]);
                Thread.sleep(20);
                release.countDown();

                relay.completion().get(5, TimeUnit.SECONDS);
                Pipe pipe = occupier.pipe.get(5, TimeUnit.SECONDS);
                try {
                    assertEquals(0, pipe.bytesWaiting(), "the relay moved the client's bytes into a pipe it does not "
                            + "own, which got fd number " + peerPipe + " of the lingering peer's pipe");
                } finally {
                    pipe.close();
                }
            } finally {
                blocker.close().sync();
            }
        }
    }

    /** The number of the write end of the pipe Netty's spliceTo made for {@code channel}, or -1 if there is none. */
    private static int pipeOutNumber(Channel channel) throws ReflectiveOperationException {
        Field pipeOut = AbstractEpollStreamChannel.class.getDeclaredField("pipeOut");
        pipeOut.setAccessible(true);
        FileDescriptor fd = (FileDescriptor) pipeOut.get(channel);
        return fd == null ? -1 : fd.intValue();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            assertTrue(latch.await(5, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A pipe the test opened, and the descriptors it opened to place it. */
    private record Pipe(FileDescriptor readEnd, FileDescriptor writeEnd, List<FileDescriptor> fillers) {
        /** Reads what is in the pipe without blocking. */
        int bytesWaiting() throws IOException {
            ByteBuf buf = ByteBufAllocator.DEFAULT.directBuffer(64 * 1024);
            try {
                int total = 0;
                for (int n; (n = read(buf)) > 0; ) {
                    total += n;
                }
                return total;
            } finally {
                buf.release();
            }
        }

        private int read(ByteBuf buf) throws IOException {
            ByteBuffer target = buf.internalNioBuffer(0, buf.capacity());
            return readEnd.read(target, target.position(), target.limit());
        }

        void close() throws IOException {
            readEnd.close();
            writeEnd.close();
            for (FileDescriptor filler : fillers) {
                filler.close();
            }
        }
    }

    /**
     * The test's channel on the relay's loop: on its first byte it closes the lingering peer, waits for that close to
     * complete on Netty's other thread, and opens a pipe whose write end gets number {@code target} (if there is one).
     */
    private static final class Occupier extends ChannelInboundHandlerAdapter {
        private final Channel peer;
        private final int target;
        final CompletableFuture<Pipe> pipe = new CompletableFuture<>();

        Occupier(Channel peer, int target) {
            this.peer = peer;
            this.target = target;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
            if (pipe.isDone()) {
                return;
            }
            try {
                peer.close();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (!peer.closeFuture().isDone() && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                pipe.complete(openPipeAt(target));
            } catch (Throwable e) {
                pipe.completeExceptionally(e);
            }
        }

        /**
         * Opens a pipe whose write end is {@code target}: {@code /dev/null} takes every free number below it, then the
         * last of them is given back for the read end. Any pipe where {@code target} is -1.
         */
        private static Pipe openPipeAt(int target) throws IOException {
            List<FileDescriptor> fillers = new ArrayList<>();
            if (target >= 0) {
                FileDescriptor next;
                while ((next = FileDescriptor.from("/dev/null")).intValue() < target) {
                    fillers.add(next);
                }
                next.close();
                if (next.intValue() != target || fillers.isEmpty()) {
                    throw new IllegalStateException("cannot place a pipe's write end at fd " + target);
                }
                // The only free number below the target now, for the read end.
                fillers.remove(fillers.size() - 1).close();
            }
            FileDescriptor[] ends = FileDescriptor.pipe();
            if (target >= 0) {
                assertEquals(target, ends[1].intValue(), "the pipe's write end");
            }
            return new Pipe(ends[0], ends[1], fillers);
        }
    }
}

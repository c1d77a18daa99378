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

import com.sun.security.auth.module.UnixSystem;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.PeerCredentials;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.string.StringDecoder;
import io.netty.handler.codec.string.StringEncoder;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.CharsetUtil;
import io.netty.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The running proxy's side of {@code --handover PATH}: it serves the Unix socket PATH, and hands its listening
 * sockets to a successor that asks for them (the protocol is in {@link HandoverOffer}).
 *
 * <p>Nobody else may take them: the socket file is made mode {@code 0600} right after it is bound (a file that
 * {@code bind} creates is never writable by others, given the usual umask, so nobody else can connect meanwhile),
 * and a peer whose uid ({@code SO_PEERCRED}, from {@link EpollDomainSocketChannel#peerCredentials()}) is not the
 * proxy's own gets nothing: the connection is closed and the attempt logged at WARN. One handover at a time; a
 * second peer meanwhile is turned away. Whatever goes wrong before the successor says {@code ready}, the proxy goes on
 * serving as if nothing had happened.
 *
 * <p>Threading: everything runs on the proxy's control event loop; the {@link Handoff} is called there.
 */
final class HandoverServer {
    /** A session that makes no progress for this long is closed. */
    static final int TIMEOUT_SECONDS = 30;

    private static final Logger logger = LoggerFactory.getLogger(HandoverServer.class);

    /** What the running proxy offers, and how it lets go. Called on the control event loop. */
    interface Handoff {
        /** The offer line's content, and the sockets in its order. */
        HandoverOffer offer();

        List<FileDescriptor> sockets();

        /**
         * The successor {@code successorPid} accepts on the sockets now: stop accepting on them without closing
         * them. The future completes once nothing accepts here any more.
         */
        Future<?> stopAccepting(long successorPid);

        /** Lets the open relays finish (up to {@code --drain-timeout}), then stops; returns at once. */
        void retire();
    }

    private HandoverServer() {
    }

    /** Binds PATH (which must not exist) with mode {@code 0600} and serves it on {@code control}, an epoll loop. */
    static Channel bind(EventLoopGroup control, Path path, Handoff handoff) throws IOException, InterruptedException {
        Channel channel = bootstrap(control, handoff).channel(EpollServerDomainSocketChannel.class)
                .bind(new DomainSocketAddress(path.toString())).sync().channel();
        try {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException | RuntimeException e) {
            channel.close().syncUninterruptibly();
            throw e;
        }
        return channel;
    }

    /** Serves the listening socket of PATH taken over from a predecessor. */
    static ChannelFuture adopt(EventLoopGroup control, int fd, Handoff handoff) {
        return bootstrap(control, handoff).channelFactory(() -> new EpollServerDomainSocketChannel(fd, true))
                .register();
    }

    /** This process's real uid, which a successor must share. */
    static long ownUid() {
        return new UnixSystem().getUid();
    }

    private static ServerBootstrap bootstrap(EventLoopGroup control, Handoff handoff) {
        AtomicBoolean busy = new AtomicBoolean();
        return new ServerBootstrap().group(control).childHandler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new ReadTimeoutHandler(TIMEOUT_SECONDS),
                        new LineBasedFrameDecoder(HandoverOffer.MAX_LINE), new StringDecoder(CharsetUtil.US_ASCII),
                        new StringEncoder(CharsetUtil.US_ASCII), new Session(handoff, busy));
            }
        });
    }

    /** One successor's connection, from its hello to its ready. */
    private static final class Session extends SimpleChannelInboundHandler<String> {
        private enum State { HELLO, SEND, READY, FINISHED }

        private final Handoff handoff;
        private final AtomicBoolean busy;
        private State state = State.HELLO;
        private boolean holdsBusy;
        private PeerCredentials peer;

        Session(Handoff handoff, AtomicBoolean busy) {
            this.handoff = handoff;
            this.busy = busy;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws IOException {
            peer = ((EpollDomainSocketChannel) ctx.channel()).peerCredentials();
            long own = ownUid();
            if (peer.uid() != own) {
                logger.warn("handover: refused pid {} with uid {}: only uid {} may take the listening sockets; "
                        + "still serving", peer.pid(), peer.uid(), own);
                ctx.close();
                return;
            }
            if (!busy.compareAndSet(false, true)) {
                logger.warn("handover: refused pid {}: another handover is under way", peer.pid());
                ctx.close();
                return;
            }
            holdsBusy = true;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, String line) {
            if (line.startsWith(HandoverOffer.ABORT)) {
                logger.warn("handover: pid {} gave up ({}); still serving", peer.pid(), line);
                ctx.close();
                return;
            }
            switch (state) {
                case HELLO -> expect(ctx, line, HandoverOffer.HELLO, State.SEND,
                        () -> ctx.writeAndFlush(handoff.offer().line() + "\n"));
                case SEND -> expect(ctx, line, HandoverOffer.SEND, State.READY, () -> {
                    for (FileDescriptor socket : handoff.sockets()) {
                        ctx.write(socket);
                    }
                    ctx.flush();
                });
                case READY -> expect(ctx, line, HandoverOffer.READY, State.FINISHED, () -> {
                    logger.info("handover: pid {} accepts on the listening sockets now; this proxy stops accepting",
                            peer.pid());
                    handoff.stopAccepting(peer.pid()).addListener(f -> ctx.writeAndFlush(HandoverOffer.DONE + "\n")
                            .addListener(written -> {
                                ctx.close();
                                handoff.retire();
                            }));
                });
                case FINISHED -> ctx.close();
            }
        }

        private void expect(ChannelHandlerContext ctx, String line, String expected, State next, Runnable action) {
            if (!line.equals(expected)) {
                logger.warn("handover: pid {} sent '{}' where '{}' was due; still serving", peer.pid(),
                        line.length() > 80 ? line.substring(0, 80) + "..." : line, expected);
                ctx.close();
                return;
            }
            state = next;
            action.run();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (holdsBusy && state != State.FINISHED) {
                busy.set(false);
                if (state != State.HELLO) {
                    logger.warn("handover: pid {} went away before it was ready; still serving", peer.pid());
                }
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            logger.warn("handover: {}; still serving", cause.toString());
            ctx.close();
        }
    }
}

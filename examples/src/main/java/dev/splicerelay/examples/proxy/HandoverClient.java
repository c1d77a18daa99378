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

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.DomainSocketReadMode;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.PeerCredentials;
import io.netty.channel.unix.Socket;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.string.StringDecoder;
import io.netty.handler.codec.string.StringEncoder;
import io.netty.util.CharsetUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The new proxy's side of {@code --handover PATH}: asks the proxy serving PATH for its listening sockets, checks the
 * offer and then the sockets themselves against its own options, and later tells the old proxy that it is
 * {@link #ready()}. The protocol is in {@link HandoverOffer}.
 *
 * <p>The old proxy must run as the same user; what it sends must be listening sockets on exactly this proxy's
 * {@code --listen} address (and the Unix socket PATH, and optionally a socket on {@code --metrics-listen}), checked
 * with {@code getsockname} and {@code SO_ACCEPTCONN}. Anything else is a {@link HandoverException}; the old proxy
 * then keeps running, since it stops accepting only once it hears {@code ready}.
 *
 * <p>Threading: the public methods block, on the thread that starts the proxy; the channel runs on the control event
 * loop and hands every line, file descriptor and its end to that thread through a queue.
 */
final class HandoverClient implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(15);

    private static final Logger logger = LoggerFactory.getLogger(HandoverClient.class);
    /** Linux's {@code SOL_SOCKET} and {@code SO_ACCEPTCONN} (asm-generic/socket.h; x86-64 and aarch64 use them). */
    private static final int SOL_SOCKET = 1;
    private static final int SO_ACCEPTCONN = 30;
    private static final Object END = new Object();

    private final Path path;
    private final Channel channel;
    private final BlockingQueue<Object> inbox;
    private final List<Integer> received = new ArrayList<>();
    private HandoverOffer offer;

    /** A failed handover: the message says why, for the user. */
    static final class HandoverException extends Exception {
        private static final long serialVersionUID = 1L;

        HandoverException(String message) {
            super(message);
        }
    }

    /** The sockets received, by role; each {@code -1} if none came. */
    record Sockets(long pid, List<Integer> listeners, int handover, int metrics) {
    }

    private HandoverClient(Path path, Channel channel, BlockingQueue<Object> inbox) {
        this.path = path;
        this.channel = channel;
        this.inbox = inbox;
    }

    /**
     * Connects to the proxy serving {@code path}. Returns {@code null} if none does: the path does not exist, or it is
     * a stale socket that nothing accepts on, which is then removed.
     */
    static HandoverClient connect(Path path, EventLoopGroup control) throws HandoverException, InterruptedException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
        ChannelFuture connect = new Bootstrap().group(control).channel(EpollDomainSocketChannel.class)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new LineBasedFrameDecoder(HandoverOffer.MAX_LINE),
                                new StringDecoder(CharsetUtil.US_ASCII), new StringEncoder(CharsetUtil.US_ASCII),
                                new Inbox(inbox));
                    }
                }).connect(new DomainSocketAddress(path.toString()));
        if (!connect.await(TIMEOUT.toMillis())) {
            connect.channel().close();
            throw new HandoverException("--handover " + path + ": connecting timed out");
        }
        if (!connect.isSuccess()) {
            String message = String.valueOf(connect.cause().getMessage());
            if (!message.contains("refused")) {
                throw new HandoverException("--handover " + path + ": cannot connect: " + message);
            }
            try {
                // Nothing accepts on it: a socket file left by a proxy that was killed, or not a socket at all.
                UnixSocketFile.removeIfStale(path);
            } catch (IOException e) {
                throw new HandoverException("--handover " + path + ": " + e.getMessage());
            }
            return null;
        }
        HandoverClient client = new HandoverClient(path, connect.channel(), inbox);
        try {
            client.checkPeer();
            return client;
        } catch (HandoverException | RuntimeException e) {
            client.close();
            throw e;
        }
    }

    /**
     * Asks for the sockets and checks them: the offer's listen address must be {@code listen}, each socket must
     * listen where its role says, the Unix socket being this PATH. A metrics socket that is not on
     * {@code metricsListen} is closed, as if none had come.
     */
    Sockets receive(SocketAddress listen, InetSocketAddress metricsListen)
            throws HandoverException, InterruptedException {
        channel.writeAndFlush(HandoverOffer.HELLO + "\n");
        Object answer = next();
        offer = answer instanceof String line ? HandoverOffer.parse(line) : null;
        if (offer == null) {
            throw new HandoverException("--handover " + path + " is not served by a splice-proxy: it "
                    + (answer == END ? "closed the connection without an answer"
                    : "answered '" + answer + "'"));
        }
        String ours = listenKey(listen);
        if (!offer.listen().equals(ours)) {
            abort("the listen addresses differ");
            throw new HandoverException("the proxy at " + path + " (pid " + offer.pid() + ") listens on "
                    + offer.listen() + ", not on " + ours + "; it keeps running");
        }
        channel.eventLoop().submit(() -> ((EpollDomainSocketChannel) channel).config()
                .setReadMode(DomainSocketReadMode.FILE_DESCRIPTORS)).sync();
        channel.writeAndFlush(HandoverOffer.SEND + "\n");
        for (int i = 0; i < offer.sockets().size(); i++) {
            Object fd = next();
            if (!(fd instanceof FileDescriptor descriptor)) {
                throw new HandoverException("the proxy at " + path + " (pid " + offer.pid() + ") sent "
                        + i + " of " + offer.sockets().size() + " sockets, then " + (fd == END ? "closed" : fd));
            }
            received.add(descriptor.intValue());
        }
        channel.eventLoop().submit(() -> ((EpollDomainSocketChannel) channel).config()
                .setReadMode(DomainSocketReadMode.BYTES)).sync();
        return check(listen, metricsListen);
    }

    /** Tells the old proxy to stop accepting, and waits (a while) until it has. */
    void ready() throws InterruptedException {
        received.clear();
        channel.writeAndFlush(HandoverOffer.READY + "\n");
        Object done = inbox.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        if (HandoverOffer.DONE.equals(done)) {
            logger.info("took over the listening sockets of pid {}, which has stopped accepting and drains",
                    offer.pid());
        } else {
            logger.warn("took over the listening sockets of pid {}, which did not confirm that it stopped accepting",
                    offer.pid());
        }
        channel.close();
    }

    /** Gives up: tells the old proxy why, so that it goes on serving, and closes what was received. */
    void abort(String reason) {
        channel.writeAndFlush(HandoverOffer.ABORT + " " + reason.replace('\n', ' ') + "\n");
        close();
    }

    /** Closes the connection and every received socket not yet declared {@link #ready()}. */
    @Override
    public void close() {
        for (int fd : received) {
            try {
                new FileDescriptor(fd).close();
            } catch (IOException e) {
                logger.debug("closing received fd {}: {}", fd, e.toString());
            }
        }
        received.clear();
        channel.close().syncUninterruptibly();
    }

    /** How {@code --listen} is compared between two proxies: {@code host:port} or an absolute {@code unix:PATH}. */
    static String listenKey(SocketAddress listen) {
        if (listen instanceof DomainSocketAddress unix) {
            return UnixPath.PREFIX + Path.of(unix.path()).toAbsolutePath();
        }
        return ProxyAddress.toString(listen);
    }

    private void checkPeer() throws HandoverException {
        PeerCredentials peer;
        try {
            peer = ((EpollDomainSocketChannel) channel).peerCredentials();
        } catch (IOException e) {
            throw new HandoverException("--handover " + path + ": cannot tell who serves it: " + e.getMessage());
        }
        long own = HandoverServer.ownUid();
        if (peer.uid() != own) {
            throw new HandoverException("--handover " + path + " is served by pid " + peer.pid() + " of uid "
                    + peer.uid() + ", not by this user (uid " + own + ")");
        }
    }

    private Sockets check(SocketAddress listen, InetSocketAddress metricsListen) throws HandoverException {
        List<Integer> listeners = new ArrayList<>();
        int handover = -1;
        int metrics = -1;
        for (int i = 0; i < received.size(); i++) {
            int fd = received.get(i);
            Socket socket = new Socket(fd);
            switch (offer.sockets().get(i)) {
                case LISTENER -> {
                    requireListening(socket, listen, "--listen");
                    listeners.add(fd);
                }
                case HANDOVER -> {
                    requireListening(socket, new DomainSocketAddress(path.toString()), "--handover");
                    handover = fd;
                }
                case METRICS -> {
                    if (metricsListen != null && isListening(socket, metricsListen)) {
                        metrics = fd;
                    }
                }
            }
        }
        if (listeners.isEmpty() || handover < 0) {
            throw new HandoverException("the proxy at " + path + " (pid " + offer.pid() + ") offered no "
                    + (listeners.isEmpty() ? "listening socket" : "handover socket"));
        }
        closeUnused(listeners, handover, metrics);
        return new Sockets(offer.pid(), listeners, handover, metrics);
    }

    private void closeUnused(List<Integer> listeners, int handover, int metrics) {
        List<Integer> unused = new ArrayList<>(received);
        unused.removeAll(listeners);
        unused.remove(Integer.valueOf(handover));
        unused.remove(Integer.valueOf(metrics));
        for (int fd : unused) {
            try {
                new FileDescriptor(fd).close();
            } catch (IOException e) {
                logger.debug("closing unused fd {}: {}", fd, e.toString());
            }
            received.remove(Integer.valueOf(fd));
        }
    }

    private void requireListening(Socket socket, SocketAddress expected, String option) throws HandoverException {
        if (!isListening(socket, expected)) {
            throw new HandoverException("the proxy at " + path + " (pid " + offer.pid() + ") sent a socket for "
                    + option + " that does not listen on " + listenKey(expected));
        }
    }

    private static boolean isListening(Socket socket, SocketAddress expected) {
        try {
            if (socket.getIntOpt(SOL_SOCKET, SO_ACCEPTCONN) != 1) {
                return false;
            }
            if (expected instanceof DomainSocketAddress unix) {
                DomainSocketAddress local = socket.localDomainSocketAddress();
                return local != null && Path.of(local.path()).toAbsolutePath()
                        .equals(Path.of(unix.path()).toAbsolutePath());
            }
            return expected.equals(socket.localAddress());
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private Object next() throws HandoverException, InterruptedException {
        Object next = inbox.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        if (next == null) {
            throw new HandoverException("--handover " + path + ": no answer within " + TIMEOUT.toSeconds() + " s");
        }
        return next;
    }

    /** Hands what the channel reads to the starting thread. On the control event loop. */
    private static final class Inbox extends ChannelInboundHandlerAdapter {
        private final BlockingQueue<Object> inbox;

        Inbox(BlockingQueue<Object> inbox) {
            this.inbox = inbox;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            inbox.add(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            inbox.add(END);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            logger.debug("handover connection: {}", cause.toString());
            ctx.close();
        }
    }
}

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
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.AbstractEpollStreamChannel;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.InternetProtocolFamily;
import io.netty.channel.unix.DomainSocketAddress;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Objects;

/**
 * Opens the outbound connection of a relay the way {@link SpliceRelayHandler} needs it: on the inbound channel's
 * event loop (which splicing requires and which keeps the whole relay on one thread), with the inbound channel's
 * transport (on epoll, a TCP or Unix domain socket channel as the target address needs: both splice; an IPv4
 * socket for an IPv4 address, which spares the dual-stack socket's {@code IPV6_V6ONLY} call and mapped addresses),
 * {@link ChannelOption#AUTO_READ} off so that no byte is read before the relay owns the channel, and
 * {@link ChannelOption#ALLOW_HALF_CLOSURE} on so that a FIN from the peer is relayed instead of closing it. Its reads
 * start at 16 KiB ({@link ChannelOption#RCVBUF_ALLOCATOR}; Netty's default starts at 2 KiB).
 *
 * <pre>{@code
 * inbound.pipeline().addLast(new SpliceRelayHandler(RelayBootstrap.connect(inbound, backendAddress)));
 * }</pre>
 */
public final class RelayBootstrap {
    @SuppressWarnings("deprecation") // InternetProtocolFamily: Netty 4.1 has no SocketProtocolFamily
    private static final ChannelFactory<EpollSocketChannel> IPV4 =
            () -> new EpollSocketChannel(InternetProtocolFamily.IPv4);
    private static final ChannelHandler NO_HANDLERS = new ChannelInitializer<Channel>() {
        @Override
        protected void initChannel(Channel ch) {
            // The relay installs its own handler; anything left in the pipeline would rule out splicing.
        }
    };

    private RelayBootstrap() {
    }

    /**
     * A {@link Bootstrap} for the outbound side of {@code inbound}'s relay; set more options on it if needed, then
     * {@link Bootstrap#connect(SocketAddress) connect}. It must be called with an inbound channel that is registered.
     *
     * @param inbound the relay's inbound channel, registered with its event loop
     * @return a bootstrap on {@code inbound}'s event loop, with its channel class, {@code AUTO_READ} off and
     *         {@code ALLOW_HALF_CLOSURE} on
     */
    public static Bootstrap forInbound(Channel inbound) {
        return forInbound(inbound, inbound.getClass());
    }

    /**
     * A {@link Bootstrap} for the outbound side of {@code inbound}'s relay to {@code remote}: like
     * {@link #forInbound(Channel)}, but an epoll inbound channel gets an epoll Unix domain socket channel for a
     * {@link DomainSocketAddress} and an epoll TCP channel for an {@link InetSocketAddress}.
     *
     * @param inbound the relay's inbound channel, registered with its event loop
     * @param remote  the address the peer will connect to, which picks the channel class
     * @return a bootstrap on {@code inbound}'s event loop, with {@code AUTO_READ} off and {@code ALLOW_HALF_CLOSURE} on
     */
    public static Bootstrap forInbound(Channel inbound, SocketAddress remote) {
        Objects.requireNonNull(remote, "remote");
        if (inbound instanceof AbstractEpollStreamChannel && remote instanceof InetSocketAddress
                && ((InetSocketAddress) remote).getAddress() instanceof Inet4Address) {
            return onLoopOf(inbound).channelFactory(IPV4);
        }
        return forInbound(inbound, channelClassFor(inbound, remote));
    }

    private static Bootstrap forInbound(Channel inbound, Class<? extends Channel> channelClass) {
        return onLoopOf(inbound).channel(channelClass);
    }

    private static Bootstrap onLoopOf(Channel inbound) {
        Objects.requireNonNull(inbound, "inbound");
        if (!inbound.isRegistered()) {
            throw new IllegalArgumentException("inbound channel is not registered with an event loop: " + inbound);
        }
        return new Bootstrap()
                .group(inbound.eventLoop())
                .option(ChannelOption.RCVBUF_ALLOCATOR, firstReadOf16KiB())
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .handler(NO_HANDLERS);
    }

    /**
     * Connects to {@code remote} with {@link #forInbound(Channel, SocketAddress)}, registering the new channel with
     * the event loop only in a task of its own.
     *
     * <p>Why: Netty's epoll transport looks channels up by fd number, and a proxy typically connects from inside an
     * I/O event (an accept, a handshake's read). A channel registered there may get the fd number of a channel that
     * closed earlier in the same {@code epoll_wait} batch, and then that batch's stale events for the old channel:
     * a stale {@code EPOLLRDHUP} shuts its input down before it has even connected. Registered a task later, after
     * the batch, it gets only its own events. A bootstrap from {@link #forInbound} connected inside an I/O event has
     * no such protection; the relay then fails rather than lose bytes. An unresolved address goes through
     * {@link Bootstrap#connect(SocketAddress)}, which resolves it.
     *
     * @param inbound the relay's inbound channel, registered with its event loop
     * @param remote  the target
     * @return the peer's connect future, to give to {@link SpliceRelayHandler}
     */
    public static ChannelFuture connect(Channel inbound, SocketAddress remote) {
        Bootstrap bootstrap = forInbound(inbound, remote);
        if (remote instanceof InetSocketAddress && ((InetSocketAddress) remote).isUnresolved()) {
            return bootstrap.connect(remote);
        }
        Channel peer;
        try {
            peer = bootstrap.config().channelFactory().newChannel();
        } catch (RuntimeException cannotCreate) {
            // Bootstrap reports a channel that cannot be created (EMFILE, for one) as a failed future.
            return bootstrap.connect(remote);
        }
        bootstrap.config().options().forEach((option, value) -> setOption(peer, option, value));
        peer.pipeline().addLast(bootstrap.config().handler());
        EventLoop loop = inbound.eventLoop();
        ChannelPromise connected = new PendingConnect(peer, loop);
        loop.execute(() -> loop.register(peer).addListener((ChannelFutureListener) registered -> {
            if (registered.isSuccess()) {
                peer.connect(remote, connected);
            } else {
                peer.unsafe().closeForcibly();
                connected.tryFailure(registered.cause());
            }
        }));
        return connected;
    }

    /**
     * Connects a peer to {@code remote} with {@code bootstrap}, which may use an event loop group and transport of its
     * own (the relay then copies), for example a proxy's separate group for the outbound side. The channel is
     * registered at once and connects in a later task of {@code inbound}'s event loop: add the
     * {@link SpliceRelayHandler} with the returned future in the same task, so that the relay holds the peer before
     * its connect completes. {@code remote} must be resolved. The bootstrap needs {@link ChannelOption#AUTO_READ} off;
     * {@link ChannelOption#ALLOW_HALF_CLOSURE} is set here.
     *
     * <p>Why: a peer on another event loop runs on a thread of its own, and epoll reads a FIN, and the bytes before
     * it, even with {@code AUTO_READ} off. With a plain {@link Bootstrap#connect(SocketAddress)}, a target that
     * answers and closes at once can be read before the relay is in the peer's pipeline: its bytes go to the
     * pipeline's tail and are lost, and its FIN closes the peer.
     *
     * @param inbound   the relay's inbound channel
     * @param bootstrap the peer's bootstrap, with {@code AUTO_READ} off; it is cloned, not changed
     * @param remote    the target, resolved
     * @return the peer's connect future, to give to {@link SpliceRelayHandler} in the same task
     */
    public static ChannelFuture connect(Channel inbound, Bootstrap bootstrap, SocketAddress remote) {
        Objects.requireNonNull(inbound, "inbound");
        Objects.requireNonNull(remote, "remote");
        EventLoop loop = inbound.eventLoop();
        ChannelFuture registered = bootstrap.clone().option(ChannelOption.ALLOW_HALF_CLOSURE, true).register();
        if (registered.isDone() && !registered.isSuccess()) {
            return registered;
        }
        Channel peer = registered.channel();
        ChannelPromise connected = peer.newPromise();
        registered.addListener((ChannelFutureListener) f -> {
            if (f.isSuccess()) {
                loop.execute(() -> peer.connect(remote, connected));
            } else {
                connected.tryFailure(f.cause());
            }
        });
        return connected;
    }

    /**
     * Netty's adaptive read sizes, with a first guess of 16 KiB instead of 2 KiB: a target's short answer (a small HTTP
     * response, a query result) then takes one read and one write instead of two each. Same bounds as Netty's default
     * (64 B to 64 KiB per read, 16 reads per cycle), so the bytes held for a slow client stay bounded as before.
     */
    private static AdaptiveRecvByteBufAllocator firstReadOf16KiB() {
        AdaptiveRecvByteBufAllocator allocator = new AdaptiveRecvByteBufAllocator(64, 16 * 1024, 64 * 1024);
        allocator.maxMessagesPerRead(16);
        return allocator;
    }

    @SuppressWarnings("unchecked")
    private static void setOption(Channel channel, ChannelOption<?> option, Object value) {
        channel.config().setOption((ChannelOption<Object>) option, value);
    }

    private static Class<? extends Channel> channelClassFor(Channel inbound, SocketAddress remote) {
        if (inbound instanceof AbstractEpollStreamChannel) {
            if (remote instanceof DomainSocketAddress) {
                return EpollDomainSocketChannel.class;
            }
            if (remote instanceof InetSocketAddress) {
                return EpollSocketChannel.class;
            }
        }
        return inbound.getClass();
    }
}

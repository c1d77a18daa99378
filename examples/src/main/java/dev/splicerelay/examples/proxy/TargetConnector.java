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

import dev.splicerelay.RelayBootstrap;
import dev.splicerelay.RelayConfig;
import dev.splicerelay.RelayStats;
import dev.splicerelay.SpliceRelayHandler;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The step that every front ends with: connect the client's target, let the front answer its client, and hand both
 * channels to a {@link SpliceRelayHandler}.
 *
 * <p>The target channel is opened with {@link RelayBootstrap}, so it shares the client's event loop and transport,
 * which splicing needs; on epoll it is a TCP or a Unix domain socket channel as the target needs, whatever the
 * client's is, and either splices. Only TCP targets go through the resolver. Once it is connected the relay handler
 * is added to the client's pipeline and every handler in front of it is removed, head first: a decoder passes its
 * leftover bytes on as it goes, the front then passes on what it held (see {@link AbstractFrontHandler}), so the
 * relay gets the client's bytes in the order they came. The relay chooses its mode one event-loop task after it is
 * added, when it is alone in the pipeline, so {@link dev.splicerelay.RelayMode#AUTO} can splice behind any front.
 *
 * <p>With {@code --send-proxy}, the relay first writes a PROXY protocol header with the client's addresses
 * ({@link ClientAddress}) to the target, as its peer preface, and then splices as before.
 *
 * <p>What happens goes to {@link ProxyEvents}: refusals, and each relay's start and end, named by the client and the
 * target it reached. Failed connects go to the {@link TargetGroup}, whose listeners (the events among them) hear
 * each once.
 *
 * <p>Immutable; shared by all connections. Every callback runs on the client's event loop.
 */
final class TargetConnector {
    private static final Logger logger = LoggerFactory.getLogger(TargetConnector.class);

    private final RelayConfig relayConfig;
    private final long connectTimeoutNanos;
    private final AddressResolverGroup<InetSocketAddress> resolver;
    private final ProxyEvents events;
    private final HAProxyProtocolVersion sendProxy;

    /**
     * @param connectTimeoutMillis how long a client's connects may take, all its targets' together
     * @param sendProxy            the PROXY protocol header version to send every target, or {@code null} for none
     */
    TargetConnector(RelayConfig relayConfig, int connectTimeoutMillis,
                    AddressResolverGroup<InetSocketAddress> resolver, ProxyEvents events,
                    HAProxyProtocolVersion sendProxy) {
        this.relayConfig = relayConfig;
        this.connectTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(connectTimeoutMillis);
        this.resolver = resolver;
        this.events = events;
        this.sendProxy = sendProxy;
    }

    /** Reports a client that a front closed without connecting a target. */
    void refused(Refusal reason) {
        events.connectionRefused(reason);
    }

    /**
     * Connects {@code front}'s client to the first target of {@code choice} that answers, then calls
     * {@link AbstractFrontHandler#connected} and relays. A target whose connect fails is reported to {@code group}
     * (passive health) and the next one is tried, each at most once, all within the connect timeout; if none is left,
     * {@link AbstractFrontHandler#connectFailed} gets the last failure, and if none was up to begin with,
     * {@link AbstractFrontHandler#noTargetUp}. If the client leaves first, the target is closed.
     *
     * @return the first target channel's connect, or {@code null} if no target was up
     */
    ChannelFuture connect(ChannelHandlerContext ctx, TargetGroup group, TargetChoice choice,
                          AbstractFrontHandler front) {
        Target first = choice.next();
        if (first == null) {
            logger.info("{}: no target is up", ctx.channel());
            events.connectionRefused(Refusal.NO_TARGET);
            front.noTargetUp(ctx);
            return null;
        }
        return attempt(ctx, group, choice, first, System.nanoTime() + connectTimeoutNanos, front);
    }

    private ChannelFuture attempt(ChannelHandlerContext ctx, TargetGroup group, TargetChoice choice, Target target,
                                  long deadline, AbstractFrontHandler front) {
        Channel client = ctx.channel();
        SocketAddress remote = target.address().toSocketAddress();
        long leftMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
        Bootstrap bootstrap = RelayBootstrap.forInbound(client, remote)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(leftMillis, Integer.MAX_VALUE))
                .handler(Connecting.INSTANCE);
        if (target.address() instanceof HostPort) {
            bootstrap.resolver(resolver);
        }
        target.relayOpened();
        ChannelFuture connect = bootstrap.connect(remote);
        OpenRelay open = new OpenRelay(target);
        connect.channel().closeFuture().addListener(f -> open.closed());
        connect.addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                open.closed();
                ConnectFailure failure = ConnectFailure.of(f.cause());
                String reason = failure.description() + " (" + rootMessage(f.cause()) + ")";
                logger.info("{}: cannot connect to {}: {}", client, target.address(), reason);
                group.connectFailed(target, failure, failure.description(), ctx.executor());
                Target next = client.isActive() && deadline - System.nanoTime() > 0 ? choice.next() : null;
                if (next != null) {
                    logger.info("{}: trying {} instead", client, next.address());
                    attempt(ctx, group, choice, next, deadline, front);
                } else if (client.isActive()) {
                    front.connectFailed(ctx, target.address(), failure);
                }
            } else if (!client.isActive()) {
                f.channel().close();
            } else if (f.channel() instanceof DuplexChannel && ((DuplexChannel) f.channel()).isInputShutdown()) {
                // Nothing can have been read yet: only a stale epoll event shuts a connecting channel's input down,
                // and its socket would report end of stream at once (see the core's StaleEpollEventTest).
                logger.info("{}: connected to {} with its input already shut down by a stale epoll event", client,
                        target.address());
                f.channel().close();
                // Told to the group's listeners (metrics) like any failed connect; OTHER leaves the target up.
                group.connectFailed(target, ConnectFailure.OTHER, "input shut down by a stale epoll event",
                        ctx.executor());
                front.connectFailed(ctx, target.address(), ConnectFailure.OTHER);
            } else {
                f.channel().pipeline().remove(Connecting.INSTANCE);
                front.connected(ctx, f.channel());
                relay(client, f.channel(), front.kind(), target.address());
            }
        });
        return connect;
    }

    /** Counts a target's connection once in {@link Target#openRelays()}, until it failed to connect or closed. */
    private static final class OpenRelay {
        private final Target target;
        private final AtomicBoolean open = new AtomicBoolean(true);

        OpenRelay(Target target) {
            this.target = target;
        }

        void closed() {
            if (open.compareAndSet(true, false)) {
                target.relayClosed();
            }
        }
    }

    private void relay(Channel client, Channel targetChannel, Front front, ProxyAddress target) {
        SpliceRelayHandler relay = sendProxy == null ? new SpliceRelayHandler(targetChannel, relayConfig)
                : new SpliceRelayHandler(targetChannel.newSucceededFuture(), relayConfig,
                        ProxyProtocolHeader.encode(sendProxy, ClientAddress.source(client),
                                ClientAddress.destination(client)));
        String clientName = ClientAddress.of(client);
        String listen = ProxyAddress.toString(client.localAddress());
        relay.completionFuture().addListener((Future<RelayStats> f) -> {
            if (f.isSuccess()) {
                events.relayEnded(relay, new EndedRelay(clientName, listen, front, target, f.getNow()));
            } else {
                events.relayFailed(relay, f.cause());
                logger.warn("relay {} -> {} could not start: {}", clientName, target, f.cause().getMessage());
            }
        });
        events.relayStarted(relay);
        ChannelPipeline pipeline = client.pipeline();
        pipeline.addLast(relay);
        while (pipeline.first() != relay) {
            pipeline.removeFirst();
        }
    }

    /**
     * The target channel's only handler while it connects. A stale epoll event (Netty looks channels up by fd number,
     * and the number may have belonged to a channel closed earlier in the same batch) can wake a connecting channel
     * for reading, and the read then fails ({@code recv}: ENOTCONN, a
     * {@link java.nio.channels.NotYetConnectedException}); in an empty pipeline that exception would reach the tail,
     * which logs it as one nobody handled. It says nothing about the connect, whose own outcome decides, so it is only
     * logged here. Removed before the relay is added: a relay splices only with no other handler in its pipelines.
     */
    @ChannelHandler.Sharable
    static final class Connecting extends ChannelInboundHandlerAdapter {
        static final Connecting INSTANCE = new Connecting();

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            logger.debug("{}: {} while connecting; the connect's outcome decides", ctx.channel(), cause.toString());
        }
    }

    /** The message of the innermost cause: "Unable to create Channel" says less than the EMFILE behind it. */
    private static String rootMessage(Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return String.valueOf(root.getMessage());
    }
}

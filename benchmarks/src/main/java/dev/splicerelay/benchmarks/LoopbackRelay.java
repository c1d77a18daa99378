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

import dev.splicerelay.RelayBootstrap;
import dev.splicerelay.RelayConfig;
import dev.splicerelay.RelayMode;
import dev.splicerelay.RelayOutcome;
import dev.splicerelay.RelayStats;
import dev.splicerelay.SpliceEngine;
import dev.splicerelay.SpliceRelayHandler;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.Future;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * A relay server built only from the public API, the way the {@link SpliceRelayHandler} javadoc shows: every accepted
 * connection is relayed to {@code target}. It runs on its own event loop group and keeps a tally of how its relays
 * ended, so that a benchmark can fail instead of reporting the speed of a broken transfer.
 */
public final class LoopbackRelay implements AutoCloseable {
    private final EventLoopGroup group;
    private EventLoopGroup peerGroup;
    private final RelayMode expectedMode;
    private final SpliceEngine expectedEngine;
    private Channel server;
    private final AtomicLong started = new AtomicLong();
    private final AtomicLong ended = new AtomicLong();
    private final LongAdder bytesToTarget = new LongAdder();
    private final LongAdder bytesFromTarget = new LongAdder();
    private final AtomicReference<String> failure = new AtomicReference<>();

    private LoopbackRelay(EventLoopGroup group, RelayMode expectedMode, SpliceEngine expectedEngine) {
        this.group = group;
        this.expectedMode = expectedMode;
        this.expectedEngine = expectedEngine;
    }

    /**
     * Starts a relay listening on {@code listen} (port 0 for any).
     *
     * @param mode {@link RelayMode#SPLICE} or {@link RelayMode#COPY}; every relay that runs in another mode, or does not
     *             end {@link RelayOutcome#COMPLETED}, is recorded as a {@link #failure()}. {@link RelayMode#AUTO}
     *             accepts either mode.
     * @param engine the splice engine; a relay that splices with another one is a failure, unless this is
     *               {@link SpliceEngine#AUTO}
     */
    public static LoopbackRelay start(Transport transport, RelayMode mode, SpliceEngine engine, int threads,
                                      InetSocketAddress listen, InetSocketAddress target) throws InterruptedException {
        return start(transport, mode, engine, threads, listen, target, RelayPath.Peer.TCP, ChannelTuning.NONE);
    }

    /**
     * Like {@link #start(Transport, RelayMode, SpliceEngine, int, InetSocketAddress, InetSocketAddress)}, with the
     * outbound side {@code peer} says: {@code target} is a {@link UnixDomainSocketAddress} for
     * {@link RelayPath.Peer#UNIX}, and a {@link RelayPath.Peer#NIO} peer runs on a NIO event loop of its own;
     * {@code tuning} is set on both channels of every relay.
     */
    static LoopbackRelay start(Transport transport, RelayMode mode, SpliceEngine engine, int threads,
                               InetSocketAddress listen, SocketAddress target, RelayPath.Peer peer,
                               ChannelTuning tuning) throws InterruptedException {
        RelayConfig config = RelayConfig.builder().mode(mode).spliceEngine(engine).build();
        EventLoopGroup group = transport.newGroup(threads);
        LoopbackRelay relay = new LoopbackRelay(group, mode, engine);
        SocketAddress remote = target instanceof UnixDomainSocketAddress
                ? new DomainSocketAddress(((UnixDomainSocketAddress) target).getPath().toString()) : target;
        try {
            if (peer == RelayPath.Peer.NIO) {
                relay.peerGroup = Transport.NIO.newGroup(1);
            }
            relay.server = new ServerBootstrap()
                    .group(group)
                    .channel(transport.serverChannelClass())
                    .option(ChannelOption.SO_BACKLOG, 4096)
                    .childOption(ChannelOption.AUTO_READ, false)
                    .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            tuning.apply(ch);
                            ChannelFuture connect = relay.connect(ch, remote);
                            tuning.apply(connect.channel());
                            SpliceRelayHandler handler = new SpliceRelayHandler(connect, config);
                            relay.track(handler.completionFuture());
                            ch.pipeline().addLast(handler);
                        }
                    })
                    .bind(listen).sync().channel();
            return relay;
        } catch (InterruptedException | RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            if (relay.peerGroup != null) {
                relay.peerGroup.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            }
            throw e;
        }
    }

    /** Starts a relay for {@code path} with one event loop, listening on an ephemeral loopback port. */
    public static LoopbackRelay start(RelayPath path, SocketAddress target) throws InterruptedException {
        return start(path.transport(), path.mode(), path.engine(), 1, new InetSocketAddress("127.0.0.1", 0), target,
                path.peer(), ChannelTuning.NONE);
    }

    /** The peer connection: {@code RelayBootstrap}'s, or a NIO channel on {@link #peerGroup}. */
    private ChannelFuture connect(Channel inbound, SocketAddress remote) {
        if (peerGroup == null) {
            return RelayBootstrap.connect(inbound, remote);
        }
        return new Bootstrap()
                .group(peerGroup)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .handler(new ChannelInboundHandlerAdapter())
                .connect(remote);
    }

    private void track(Future<RelayStats> completion) {
        started.incrementAndGet();
        completion.addListener(f -> {
            if (!f.isSuccess()) {
                failure.compareAndSet(null, "relay could not start: " + f.cause());
            } else {
                RelayStats stats = (RelayStats) f.getNow();
                bytesToTarget.add(stats.bytesInboundToPeer());
                bytesFromTarget.add(stats.bytesPeerToInbound());
                if (stats.outcome() != RelayOutcome.COMPLETED) {
                    failure.compareAndSet(null, "relay did not complete: " + stats);
                } else if (expectedMode != RelayMode.AUTO && stats.mode() != expectedMode) {
                    failure.compareAndSet(null, "relay ran in " + stats.mode() + ", not " + expectedMode + ": " + stats);
                } else if (stats.mode() == RelayMode.SPLICE && expectedEngine != SpliceEngine.AUTO
                        && stats.spliceEngine().orElse(null) != expectedEngine) {
                    failure.compareAndSet(null, "relay did not splice with " + expectedEngine + ": " + stats);
                }
            }
            ended.incrementAndGet();
        });
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    /** The first thing that went wrong with any relay so far, or {@code null}. */
    public String failure() {
        return failure.get();
    }

    /** Throws if any relay so far failed, ran in the wrong mode or ended other than {@link RelayOutcome#COMPLETED}. */
    public void check() {
        String f = failure.get();
        if (f != null) {
            throw new IllegalStateException(f);
        }
    }

    public long relaysStarted() {
        return started.get();
    }

    /** Bytes all ended relays moved from their client to the target. */
    public long bytesToTarget() {
        return bytesToTarget.sum();
    }

    /** Bytes all ended relays moved from the target to their client. */
    public long bytesFromTarget() {
        return bytesFromTarget.sum();
    }

    /** Waits until every relay started so far has ended, then {@link #check()}s them. */
    public void awaitAllEnded(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (ended.get() < started.get()) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("only " + ended.get() + " of " + started.get()
                        + " relays ended within " + timeout + " " + unit + "; first failure: " + failure.get());
            }
            Thread.sleep(1);
        }
        check();
    }

    @Override
    public void close() throws InterruptedException {
        try {
            server.close().sync();
        } finally {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
            if (peerGroup != null) {
                peerGroup.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
            }
        }
    }
}

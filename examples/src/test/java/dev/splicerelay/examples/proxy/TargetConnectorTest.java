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

import dev.splicerelay.RelayConfig;
import dev.splicerelay.testing.DeadTargets;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.resolver.DefaultAddressResolverGroup;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.NotYetConnectedException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The target channel that {@link TargetConnector} opens, while it connects and once the relay has it. */
@Timeout(30)
class TargetConnectorTest {
    private static final int CONNECT_TIMEOUT_MILLIS = 500;

    private final ProxyStatus status = new ProxyStatus(0);
    private final TargetConnector connector = new TargetConnector(RelayConfig.defaults(), CONNECT_TIMEOUT_MILLIS,
            DefaultAddressResolverGroup.INSTANCE, status, null);
    private final CompletableFuture<TestFront> fronts = new CompletableFuture<>();
    private EventLoopGroup group;
    private Channel server;
    private Socket client;
    private TestFront front;

    /** One client, accepted by a server whose front connects where the test says. */
    @BeforeEach
    void connectClient() throws Exception {
        Transport transport = Transport.best();
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        group = new MultiThreadIoEventLoopGroup(1, transport.ioHandlerFactory());
        server = new ServerBootstrap().group(group).channel(transport.serverChannelClass(address))
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel accepted) {
                        accepted.pipeline().addLast(new TestFront(connector, fronts));
                    }
                })
                .bind(address).sync().channel();
        client = new Socket(InetAddress.getLoopbackAddress(), ((InetSocketAddress) server.localAddress()).getPort());
        client.setSoTimeout(10_000);
        front = fronts.get(5, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws IOException {
        if (client != null) {
            client.close();
        }
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void leavesAnExceptionWhileConnectingToTheConnectsOutcome() throws Exception {
        try (DeadTargets dead = new DeadTargets(); StderrCapture stderr = new StderrCapture()) {
            ChannelFuture connecting = front.connectTo(HostPort.parse(dead.silent())).get(5, TimeUnit.SECONDS);
            assertFalse(connecting.isDone(), "the silent target answered");
            // What epoll fires when a spurious wakeup makes it read a channel still connecting (seen under gVisor).
            connecting.channel().pipeline().fireExceptionCaught(new NotYetConnectedException());
            assertEquals(ConnectFailure.TIMEOUT, front.failure.get(10, TimeUnit.SECONDS));
            // The timeout marks the target down, at WARN, as it should; nothing else may be logged at WARN or ERROR,
            // the exception reaching the pipeline's tail least of all.
            String trouble = stderr.takeTrouble(StderrCapture.targetDown(dead.silent()));
            assertNull(trouble, "trouble logged while the target connected:\n" + trouble);
        }
    }

    @Test
    void refusesATargetWhoseInputWasShutDownBeforeItsConnectCompleted() throws Exception {
        try (HashingBackend target = new HashingBackend(new Payload(4, 1000), Duration.ZERO)) {
            // In the same event-loop task as the connect, so before its completion: what a stale EPOLLRDHUP does.
            front.connectTo(HostPort.parse(target.target()),
                    connecting -> ((DuplexChannel) connecting.channel()).shutdownInput()).get(5, TimeUnit.SECONDS);
            assertEquals(ConnectFailure.OTHER, front.failure.get(10, TimeUnit.SECONDS));
            assertEquals(0, status.splicedRelays() + status.copiedRelays(), "relays started");
        }
    }

    @Test
    void givesTheConnectedTargetToTheRelayAlone() throws Exception {
        assumeTrue(Epoll.isAvailable(), "only epoll splices, and only a relay with no other handler does");
        try (HashingBackend target = new HashingBackend(new Payload(3, 1000), Duration.ZERO)) {
            front.connectTo(HostPort.parse(target.target())).get(5, TimeUnit.SECONDS);
            client.shutdownOutput();
            assertEquals(32 + 1000, client.getInputStream().readAllBytes().length,
                    "the digest of nothing, then the target's reply");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (status.splicedRelays() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(1, status.splicedRelays(), "relays that spliced");
        }
    }

    /** A front that connects where the test says, on its event loop, and keeps what the connector tells it. */
    private static final class TestFront extends AbstractFrontHandler {
        private final CompletableFuture<TestFront> fronts;
        private final CompletableFuture<ConnectFailure> failure = new CompletableFuture<>();
        private ChannelHandlerContext ctx;

        TestFront(TargetConnector connector, CompletableFuture<TestFront> fronts) {
            super(connector, Duration.ZERO);
            this.fronts = fronts;
        }

        @Override
        protected Front kind() {
            return Front.FORWARD;
        }

        @Override
        protected void start(ChannelHandlerContext ctx) {
            this.ctx = ctx;
            fronts.complete(this);
        }

        @Override
        protected void connectFailed(ChannelHandlerContext ctx, ProxyAddress target, ConnectFailure failure) {
            this.failure.complete(failure);
        }

        Future<ChannelFuture> connectTo(ProxyAddress target) {
            return connectTo(target, connecting -> { });
        }

        /** Connects, then does {@code meanwhile} to the connect in the same event-loop task. */
        Future<ChannelFuture> connectTo(ProxyAddress target, Consumer<ChannelFuture> meanwhile) {
            TargetGroup group = new TargetGroup(List.of(target), Balance.FIRST, HealthPolicy.DEFAULTS);
            return ctx.executor().submit(() -> {
                ChannelFuture connecting = connect(ctx, group, group.choice());
                meanwhile.accept(connecting);
                return connecting;
            });
        }
    }
}

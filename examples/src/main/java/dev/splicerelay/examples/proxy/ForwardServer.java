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

import dev.splicerelay.RelayServerListener;
import dev.splicerelay.RelayStats;
import dev.splicerelay.RelayTargets;
import dev.splicerelay.SpliceEngine;
import dev.splicerelay.SpliceRelayServer;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.NetUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.Consumer;

/**
 * The forward front without a Netty channel per connection: a {@link SpliceRelayServer} whose clients are admitted
 * under {@code --max-connections}, whose targets come from the {@link TargetGroup} (balance, health, failover) and
 * whose events reach the proxy's {@link ProxyEvents} (status, metrics, access log) as the channel front's do.
 * {@link #obstacle} says when the forward front needs channels instead.
 *
 * <p>Threading: the {@link RelayTargets} and {@link RelayServerListener} methods run on the client's event loop;
 * {@link #bind}, {@link #stopAccepting} and {@link #close} on the thread that starts or stops the proxy.
 */
final class ForwardServer implements RelayTargets, RelayServerListener {
    private static final Logger logger = LoggerFactory.getLogger(ForwardServer.class);

    private final ProxyOptions options;
    private final TargetGroup targets;
    private final ProxyStatus status;
    private final ProxyEvents events;
    private final EventLoopGroup group;
    private final Map<InetSocketAddress, Target> byAddress = new HashMap<>();
    private final Map<Target, InetSocketAddress> addresses = new HashMap<>();
    private SpliceRelayServer server;
    private String listen;

    private ForwardServer(ProxyOptions options, TargetGroup targets, ProxyStatus status, ProxyEvents events,
                          EventLoopGroup group) {
        this.options = options;
        this.targets = targets;
        this.status = status;
        this.events = events;
        this.group = group;
        for (Target target : targets.targets()) {
            InetSocketAddress address = (InetSocketAddress) target.address().toSocketAddress();
            byAddress.put(address, target);
            addresses.put(target, address);
        }
    }

    /**
     * Why the proxy's clients need a channel each, or {@code null} if the forward front can run without: unless
     * {@code --channel-per-client} asks for channels, it must be the forward front on epoll, listening on TCP, to TCP
     * targets, without {@code --accept-proxy} (Netty's decoder reads the header in a pipeline) and without Netty's
     * {@code spliceTo} engine. Targets given by name are resolved per connect, off the event loop, on either path.
     * {@code --send-proxy} runs on the server (its header is the server's {@link dev.splicerelay.RelayPreface}), and so
     * does {@code --handover}, whose listening sockets the server hands over and takes.
     */
    static String obstacle(ProxyOptions options, EventLoopGroup group) {
        if (options.channelPerClient()) {
            return "--channel-per-client";
        }
        if (options.front() != Front.FORWARD) {
            return "the " + options.front().cliName() + " front reads a request first";
        }
        if (options.transport() != Transport.EPOLL) {
            return "transport " + options.transport().cliName();
        }
        if (!(options.listen() instanceof InetSocketAddress)) {
            return "a Unix socket to listen on";
        }
        for (ProxyAddress target : options.targets()) {
            if (target instanceof UnixPath) {
                return "target " + target + " is a Unix socket";
            }
        }
        if (options.acceptProxy()) {
            return "--accept-proxy reads a PROXY header first";
        }
        if (options.spliceEngine() == SpliceEngine.SPLICE_TO) {
            return "--splice-engine splice_to";
        }
        return SpliceRelayServer.unavailableReason(group);
    }

    /** Binds the forward front's listening sockets, one per event loop, on {@link ProxyOptions#listen()}. */
    static ForwardServer bind(ProxyOptions options, TargetGroup targets, ProxyStatus status, ProxyEvents events,
                              EventLoopGroup group, AddressResolverGroup<InetSocketAddress> resolver)
            throws IOException {
        return start(options, targets, status, events, group, resolver,
                builder -> builder.localAddress((InetSocketAddress) options.listen()));
    }

    /** Serves the forward front on listening sockets a predecessor handed over ({@code --handover}). */
    static ForwardServer adopt(ProxyOptions options, TargetGroup targets, ProxyStatus status, ProxyEvents events,
                               EventLoopGroup group, AddressResolverGroup<InetSocketAddress> resolver,
                               List<Integer> listeningSockets) throws IOException {
        return start(options, targets, status, events, group, resolver,
                builder -> builder.listeningSockets(listeningSockets));
    }

    private static ForwardServer start(ProxyOptions options, TargetGroup targets, ProxyStatus status,
                                       ProxyEvents events, EventLoopGroup group,
                                       AddressResolverGroup<InetSocketAddress> resolver,
                                       Consumer<SpliceRelayServer.Builder> listening) throws IOException {
        ForwardServer front = new ForwardServer(options, targets, status, events, group);
        SpliceRelayServer.Builder builder = SpliceRelayServer.builder()
                .group(group)
                .reusePort(options.operations().reusePort())
                .targets(front)
                .listener(front)
                .config(options.relayConfig())
                .connectTimeout(options.connectTimeout())
                .resolver(resolver);
        listening.accept(builder);
        HAProxyProtocolVersion sendProxy = options.sendProxy();
        if (sendProxy != null) {
            builder.preface((client, local, target) -> ProxyProtocolHeader.encode(sendProxy, client, local));
        }
        front.server = builder.bind();
        front.listen = ProxyAddress.toString(front.server.localAddress());
        status.countBytesOf(front);
        return front;
    }

    InetSocketAddress localAddress() {
        return server.localAddress();
    }

    /** The listening sockets, for a successor ({@code --handover}). */
    List<Integer> listeningSockets() {
        return server.listeningSockets();
    }

    long bytesClientToTarget() {
        return server.bytesClientToTarget();
    }

    long bytesTargetToClient() {
        return server.bytesTargetToClient();
    }

    /** The clients admitted and not yet closed. */
    int relays() {
        return server.relays();
    }

    void stopAccepting() {
        server.stopAccepting();
    }

    /** Resets every client still relayed; see {@link ProxyServer#stop}. */
    void close() {
        server.close();
    }

    @Override
    public boolean admit(InetSocketAddress client) {
        if (!status.tryAdmit()) {
            logger.debug("{}: refused, --max-connections are open", client);
            events.connectionRefused(Refusal.MAX_CONNECTIONS);
            return false;
        }
        events.connectionAccepted();
        return true;
    }

    /** The targets that are up, in the balance's order, each counted open while it is tried or relayed to. */
    @Override
    public Iterator<InetSocketAddress> forClient(InetSocketAddress client) {
        TargetChoice choice = targets.choice();
        Target first = choice.next();
        if (first == null) {
            logger.info("{}: no target is up", NetUtil.toSocketAddressString(client));
            events.connectionRefused(Refusal.NO_TARGET);
            return Collections.emptyIterator();
        }
        return new Iterator<>() {
            private Target next = first;
            private boolean tried;

            @Override
            public boolean hasNext() {
                if (next == null) {
                    next = choice.next();
                }
                return next != null;
            }

            @Override
            public InetSocketAddress next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Target target = next;
                next = null;
                if (tried) {
                    logger.info("{}: trying {} instead", NetUtil.toSocketAddressString(client), target.address());
                }
                tried = true;
                target.relayOpened();
                return addresses.get(target);
            }
        };
    }

    @Override
    public void connectFailed(InetSocketAddress client, InetSocketAddress address, Throwable cause) {
        Target target = byAddress.get(address);
        target.relayClosed();
        ConnectFailure failure = ConnectFailure.of(cause);
        logger.info("{}: cannot connect to {}: {} ({})", NetUtil.toSocketAddressString(client), target.address(),
                failure.description(), cause.getMessage());
        targets.connectFailed(target, failure, failure.description(), group.next());
    }

    @Override
    public void relayStarted(InetSocketAddress client, InetSocketAddress target) {
        events.relayStarted(null);
    }

    @Override
    public void relayEnded(InetSocketAddress client, InetSocketAddress address, RelayStats stats) {
        status.connectionClosed();
        if (address == null) {
            return;
        }
        Target target = byAddress.get(address);
        target.relayClosed();
        events.relayEnded(null, new EndedRelay(NetUtil.toSocketAddressString(client), listen, Front.FORWARD,
                target.address(), stats));
    }
}

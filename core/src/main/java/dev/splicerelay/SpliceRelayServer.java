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

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.DefaultAddressResolverGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A TCP relay server without a Netty channel per connection: it listens on a port, connects each client to a target
 * and relays both directions until both are done, with the guarantees of {@link SpliceRelayHandler} (every byte in
 * order, half-closes passed on, a reset or error resets both sides, the idle timeout, bytes counted). It accepts,
 * connects, splices or copies and closes the sockets itself, on Netty's epoll event loops through Netty 4.2's I/O
 * registration API, so a short connection costs the system calls a relay needs and no channel, pipeline or promise:
 * for a server that only relays, where {@link SpliceRelayHandler} is for a pipeline that relays after doing its own
 * work (a handshake, a protocol, TLS).
 *
 * <pre>{@code
 * EventLoopGroup group = new MultiThreadIoEventLoopGroup(EpollIoHandler.newFactory());
 * SpliceRelayServer server = SpliceRelayServer.builder()
 *         .group(group)
 *         .localAddress(new InetSocketAddress(8080))
 *         .targets(client -> List.of(new InetSocketAddress("10.0.0.2", 80)).iterator())
 *         .bind();
 * }</pre>
 *
 * <p>Each event loop of the group has its own listening socket on the address, bound with {@code SO_REUSEPORT} when
 * there is more than one, so the kernel spreads the clients over the loops; a client, its target connection and its
 * relay stay on the loop that accepted it. Sockets that already listen can be taken instead
 * ({@link Builder#listeningSockets}) and handed on ({@link #listeningSockets()}): a reload that refuses no client.
 * Targets are tried in the order {@link RelayTargets} gives, all of a client's within the connect timeout; one given by
 * name is resolved first ({@link Builder#resolver}). {@link RelayConfig#mode()} {@code COPY} copies; otherwise the
 * server splices, with the {@link SpliceEngine#IO_HANDLE} engine, each direction from its first read that fills 64 KiB
 * on: a short exchange is copied, which costs fewer system calls. It needs Linux, native epoll and Netty 4.2;
 * {@link #unavailableReason} says why not elsewhere, where a relay runs on channels with {@link SpliceRelayHandler}.
 *
 * <p>Threading: the builder and {@link #stopAccepting()} and {@link #close()} may be used from any thread, but not
 * from one of the group's loops, since they wait for them; the {@link RelayTargets} and {@link RelayServerListener}
 * run on the loops.
 */
public final class SpliceRelayServer {
    /** The connect timeout unless the builder sets another: Netty's own default, {@code CONNECT_TIMEOUT_MILLIS}. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(30);
    private static final int BACKLOG = 4096;

    private final RelayTargets targets;
    private final RelayServerListener listener;
    private final RelayPreface preface;
    private final AddressResolverGroup<InetSocketAddress> resolver;
    private final RelayConfig config;
    private final long connectTimeoutNanos;
    private final boolean reusePort;
    private final ModeChoice choice;
    private final List<DirectAcceptor> acceptors = new CopyOnWriteArrayList<>();
    private final AtomicInteger relays = new AtomicInteger();
    private InetSocketAddress localAddress;

    private SpliceRelayServer(Builder builder) {
        this.targets = builder.targets;
        this.listener = builder.listener;
        this.preface = builder.preface;
        this.resolver = builder.resolver;
        this.config = builder.config;
        this.connectTimeoutNanos = builder.connectTimeout.toNanos();
        this.reusePort = builder.reusePort;
        this.choice = ModeChoice.forServer(config.mode());
    }

    /** {@return a builder for a server} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Says whether a server can run on {@code group}.
     *
     * @param group the event loops the server would run on
     * @return why a server cannot run on them (not Linux, no native epoll, Netty 4.1, loops of another transport), or
     *         {@code null} if it can
     */
    public static String unavailableReason(EventLoopGroup group) {
        String reason = EpollIo.unavailableReason();
        if (reason != null) {
            return reason;
        }
        for (EventExecutor executor : group) {
            String obstacle = executor instanceof EventLoop ? EpollIo.obstacle((EventLoop) executor)
                    : executor + " is not an event loop";
            if (obstacle != null) {
                return obstacle;
            }
        }
        return null;
    }

    /** {@return the address the server listens on; with port 0 asked for, the port the kernel chose} */
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    /** {@return the clients admitted whose relay has not ended yet} */
    public int relays() {
        return relays.get();
    }

    /**
     * {@return the bytes relayed from clients to targets since the server was bound, by every relay, running ones
     * included; from any thread, like {@link SpliceRelayHandler#bytesInboundToPeer()}}
     */
    public long bytesClientToTarget() {
        long sum = 0;
        for (DirectAcceptor acceptor : acceptors) {
            sum += acceptor.bytesClientToTarget();
        }
        return sum;
    }

    /** {@return the bytes relayed from targets to clients, as {@link #bytesClientToTarget()} counts them} */
    public long bytesTargetToClient() {
        long sum = 0;
        for (DirectAcceptor acceptor : acceptors) {
            sum += acceptor.bytesTargetToClient();
        }
        return sum;
    }

    /**
     * {@return the listening sockets' file descriptors, for a successor process that takes the port over (sent with
     * {@code SCM_RIGHTS}, say, and given to its {@link Builder#listeningSockets}); they stay the server's, and
     * {@link #stopAccepting()} closes them here, not in a process that received them}
     */
    public List<Integer> listeningSockets() {
        List<Integer> fds = new ArrayList<>();
        for (DirectAcceptor acceptor : acceptors) {
            fds.add(acceptor.socket().intValue());
        }
        return fds;
    }

    /** Closes the listening sockets: no new client is accepted, and the relays run on to their end. Idempotent. */
    public void stopAccepting() {
        onEveryLoop(DirectAcceptor::stopAccepting);
    }

    /** Stops accepting and aborts every relay, resetting both of its sockets. Idempotent. */
    public void close() {
        onEveryLoop(acceptor -> {
            acceptor.stopAccepting();
            acceptor.abortRelays();
        });
    }

    RelayTargets targets() {
        return targets;
    }

    RelayServerListener listener() {
        return listener;
    }

    /** The preface for each target, or {@code null} for none. */
    RelayPreface preface() {
        return preface;
    }

    /** Resolves the targets given by name of {@code loop}'s clients. */
    AddressResolver<InetSocketAddress> resolver(EventLoop loop) {
        return resolver.getResolver(loop);
    }

    RelayConfig config() {
        return config;
    }

    long connectTimeoutNanos() {
        return connectTimeoutNanos;
    }

    /** How every relay of the server moves bytes. */
    ModeChoice choice() {
        return choice;
    }

    void relayAdmitted() {
        relays.incrementAndGet();
    }

    void relayEnded() {
        relays.decrementAndGet();
    }

    /** Runs {@code action} for each acceptor on its loop and waits; a loop that has shut down has done it already. */
    private void onEveryLoop(Consumer<DirectAcceptor> action) {
        List<Future<?>> done = new ArrayList<>();
        for (DirectAcceptor acceptor : acceptors) {
            if (!acceptor.loop().isShuttingDown()) {
                done.add(acceptor.loop().submit(() -> action.accept(acceptor)));
            }
        }
        done.forEach(Future::awaitUninterruptibly);
    }

    /**
     * Listens on {@code address} with one socket per loop, or accepts on the {@code adopted} sockets (socket i on loop
     * i modulo the loops) and, if they share their port ({@code SO_REUSEPORT}), joins them on the loops left.
     */
    private void bind(EventLoopGroup group, InetSocketAddress address, List<Integer> adopted) throws IOException {
        List<EventLoop> loops = new ArrayList<>();
        group.forEach(executor -> loops.add((EventLoop) executor));
        try {
            InetSocketAddress next = address;
            boolean reuse = reusePort || loops.size() > 1;
            int served = 0;
            if (adopted != null) {
                for (int fd : adopted) {
                    accept(loops.get(served++ % loops.size()), LinuxSocket.newSocket(fd));
                }
                LinuxSocket first = acceptors.get(0).socket();
                next = first.localAddress();
                reuse = first.isReusePort();
            }
            for (; served < loops.size() && (served == 0 || reuse); served++) {
                LinuxSocket socket = listen(next, reuse);
                // Port 0 asked for: the first socket's port, for all.
                next = socket.localAddress();
                accept(loops.get(served), socket);
            }
            localAddress = next;
        } catch (IOException | RuntimeException e) {
            stopAccepting();
            throw e;
        }
    }

    private static LinuxSocket listen(InetSocketAddress address, boolean reusePort) throws IOException {
        LinuxSocket socket = LinuxSocket.newSocketStream(address.getAddress() instanceof Inet6Address);
        try {
            socket.setReuseAddress(true);
            socket.setReusePort(reusePort);
            socket.bind(address);
            socket.listen(BACKLOG);
            return socket;
        } catch (IOException e) {
            EpollIo.closeQuietly(socket);
            throw new IOException("cannot listen on " + address + ": " + e.getMessage(), e);
        }
    }

    /** Accepts on {@code socket} on {@code loop}; the server owns the socket from now on. */
    private void accept(EventLoop loop, LinuxSocket socket) throws IOException {
        DirectAcceptor acceptor = new DirectAcceptor(this, loop, socket);
        acceptors.add(acceptor);
        Future<?> opened = loop.submit(() -> {
            acceptor.open();
            return null;
        }).awaitUninterruptibly();
        if (!opened.isSuccess()) {
            throw new IOException("cannot register the listening socket with " + loop, opened.cause());
        }
    }

    /**
     * Sets up a {@link SpliceRelayServer}; {@link #group}, {@link #targets} and {@link #localAddress} (or
     * {@link #listeningSockets}) are required.
     */
    public static final class Builder {
        private EventLoopGroup group;
        private InetSocketAddress localAddress;
        private List<Integer> listeningSockets;
        private RelayTargets targets;
        private RelayServerListener listener = new RelayServerListener() { };
        private RelayPreface preface;
        private AddressResolverGroup<InetSocketAddress> resolver = DefaultAddressResolverGroup.INSTANCE;
        private RelayConfig config = RelayConfig.defaults();
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private boolean reusePort;

        private Builder() {
        }

        /**
         * Sets the event loops to run on.
         *
         * @param group epoll event loops of Netty 4.2 ({@link SpliceRelayServer#unavailableReason} says if not)
         * @return this builder
         */
        public Builder group(EventLoopGroup group) {
            this.group = Objects.requireNonNull(group, "group");
            return this;
        }

        /**
         * Sets the address to listen on; or {@link #listeningSockets}.
         *
         * @param localAddress the address; port 0 for one the kernel chooses
         * @return this builder
         */
        public Builder localAddress(InetSocketAddress localAddress) {
            this.localAddress = Objects.requireNonNull(localAddress, "localAddress");
            return this;
        }

        /**
         * Accepts on TCP sockets that already listen instead of binding {@link #localAddress}: a predecessor's, handed
         * over at a reload ({@link SpliceRelayServer#listeningSockets()}), or a service manager's. Socket i accepts on
         * event loop i modulo the loops. With fewer sockets than loops, the other loops listen on the first socket's
         * address too if it has {@code SO_REUSEPORT}; otherwise only the sockets' loops accept.
         *
         * @param fds file descriptors of listening TCP sockets, at least one; the server owns them from then on
         * @return this builder
         */
        public Builder listeningSockets(List<Integer> fds) {
            if (fds.isEmpty()) {
                throw new IllegalArgumentException("no listening socket");
            }
            this.listeningSockets = List.copyOf(fds);
            return this;
        }

        /**
         * Sets where clients go.
         *
         * @param targets the targets of each client, tried in order
         * @return this builder
         */
        public Builder targets(RelayTargets targets) {
            this.targets = Objects.requireNonNull(targets, "targets");
            return this;
        }

        /**
         * Sets who hears what happens to the clients; by default nobody.
         *
         * @param listener admits clients and hears of failed connects and of every relay's start and end
         * @return this builder
         */
        public Builder listener(RelayServerListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Sets bytes for each target to read before its client's, such as a PROXY protocol header; none unless set.
         *
         * @param preface makes each target's preface once it has accepted
         * @return this builder
         */
        public Builder preface(RelayPreface preface) {
            this.preface = Objects.requireNonNull(preface, "preface");
            return this;
        }

        /**
         * Sets how a target given by name ({@link InetSocketAddress#createUnresolved}) is resolved before its connect,
         * as {@code Bootstrap.resolver} does for a channel; Netty's {@link DefaultAddressResolverGroup} unless set. That
         * one asks the JDK on the event loop and blocks it meanwhile, so where a lookup may be slow give one that does
         * not block (Netty's {@code DnsAddressResolverGroup}, say). The lookup counts against the connect timeout.
         * Targets given as addresses never reach it. The server does not close it.
         *
         * @param resolver resolves target names, on the event loop of the client whose target it is
         * @return this builder
         */
        public Builder resolver(AddressResolverGroup<InetSocketAddress> resolver) {
            this.resolver = Objects.requireNonNull(resolver, "resolver");
            return this;
        }

        /**
         * Sets the relays' mode and idle timeout; {@link RelayConfig#defaults()} unless set.
         *
         * @param config {@link RelayMode#COPY} copies, the other modes splice; {@link SpliceEngine#SPLICE_TO} cannot be
         *               asked for, since it splices channels
         * @return this builder
         */
        public Builder config(RelayConfig config) {
            if (Objects.requireNonNull(config, "config").spliceEngine() == SpliceEngine.SPLICE_TO) {
                throw new IllegalArgumentException("SPLICE_TO splices Netty channels; a SpliceRelayServer has none");
            }
            this.config = config;
            return this;
        }

        /**
         * Whether to set {@code SO_REUSEPORT} with a single event loop too, so that other processes may share the port
         * (with more loops it is always set). Any process of the same user can then join the port.
         *
         * @param reusePort {@code true} to share the port
         * @return this builder
         */
        public Builder reusePort(boolean reusePort) {
            this.reusePort = reusePort;
            return this;
        }

        /**
         * Sets how long a client's connects may take, to all its targets together; {@link #DEFAULT_CONNECT_TIMEOUT}
         * unless set.
         *
         * @param connectTimeout a positive duration
         * @return this builder
         */
        public Builder connectTimeout(Duration connectTimeout) {
            if (connectTimeout.isNegative() || connectTimeout.isZero()) {
                throw new IllegalArgumentException("connectTimeout must be positive: " + connectTimeout);
            }
            this.connectTimeout = connectTimeout;
            return this;
        }

        /**
         * Binds one listening socket per event loop of the group, or takes the {@link #listeningSockets}, and starts
         * accepting.
         *
         * @return the running server
         * @throws IllegalStateException if the group cannot run the server ({@link #unavailableReason}), or if neither
         *                               or both of {@link #localAddress} and {@link #listeningSockets} were set
         * @throws IOException if the address cannot be listened on
         */
        public SpliceRelayServer bind() throws IOException {
            Objects.requireNonNull(group, "group");
            Objects.requireNonNull(targets, "targets");
            if ((localAddress == null) == (listeningSockets == null)) {
                throw new IllegalStateException("set either localAddress or listeningSockets");
            }
            String unavailable = unavailableReason(group);
            if (unavailable != null) {
                throw new IllegalStateException("a SpliceRelayServer cannot run: " + unavailable);
            }
            SpliceRelayServer server = new SpliceRelayServer(this);
            server.bind(group, localAddress, listeningSockets);
            return server;
        }
    }
}

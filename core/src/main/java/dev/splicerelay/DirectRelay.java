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

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Iterator;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One client of a {@link SpliceRelayServer} and its target, without a Netty channel for either: it connects to the
 * targets in turn, then moves both directions with a {@link SocketFlow} each, the sockets registered with the event
 * loop by the relay itself ({@link EpollIo}). The server's {@link RelayPreface}, if it has one, reaches the target
 * before the client's first byte.
 *
 * <p>Connecting: one non-blocking connect at a time, all of them within the server's connect timeout; a refused or
 * failed connect is reported and the next target tried while time is left. A target given by name is resolved first, by
 * the server's resolver, within the same timeout; a name that does not resolve fails like a refused connect. The client
 * is registered only once a target has accepted: bytes and a FIN it sends meanwhile wait in its socket. Every socket is
 * opened and registered in a task of the event loop, never while it dispatches an epoll batch: a number closed earlier
 * in that batch could otherwise be reused by the new socket and get the old socket's events (a stale {@code EPOLLRDHUP}
 * would end a stream early).
 *
 * <p>Registrations: the target's socket is registered at its connect for everything, edge-triggered, and the client's,
 * level-triggered, for what its flows wait for ({@link SocketFlow#interest}). So a short connection's registrations
 * never change, where a level-triggered target would be changed twice (from the connect to reading, and to nothing
 * after its FIN): the target takes one {@code epoll_ctl} instead of three, as with HAProxy, whose registrations are
 * all edge-triggered. Once a flow from the target stops with bytes perhaps left in its socket (bulk, see
 * {@link Side#sourceMayHaveMore()}), the target's registration turns level-triggered too for the rest of the relay.
 *
 * <p>Ending, once: {@link RelayOutcome#COMPLETED} when both directions have passed their FIN on (the first with
 * {@code shutdown(SHUT_WR)}, the last with the close of both sockets); {@link RelayOutcome#RESET} or
 * {@link RelayOutcome#ERROR} at a reset or failure of either socket, which resets both; the idle timeout, which resets
 * a side still owed bytes; or {@link #abort}. Each socket is closed before its registration is cancelled, so that
 * Netty does not ask epoll to drop a socket its close already dropped; nothing else can run on the loop in between.
 *
 * <p>Ownership: the relay owns the accepted socket from the start and its target socket from its creation, and closes
 * each exactly once; its flows hold a pipe or a buffer only while bytes are in flight. Threading: every method runs on
 * the event loop that accepted the client.
 */
final class DirectRelay {
    private static final int PEER_EDGE_INTEREST = EpollIo.IN | EpollIo.RDHUP | EpollIo.OUT | EpollIo.EDGE;

    private final DirectAcceptor home;
    private final SpliceRelayServer server;
    private final EventLoop loop;
    private final LinuxSocket client;
    private final InetSocketAddress clientAddress;
    private final Instant started = Instant.now();
    private final BooleanSupplier isEnded = () -> DirectRelay.this.ended;
    private Iterator<InetSocketAddress> targets;
    private long connectDeadline;
    /** The target being connected or relayed to, as {@link RelayTargets} gave it: an address, or a name. */
    private InetSocketAddress target;
    /** Whether {@link #target}'s name is being resolved: it has had neither a connect failure nor a relay yet. */
    private boolean resolving;
    private LinuxSocket peer;
    private EpollIo.Registration clientRegistration;
    private EpollIo.Registration peerRegistration;
    /** Whether the target's registration is still {@link #PEER_EDGE_INTEREST}; see the class comment. */
    private boolean peerEdgeTriggered;
    private ScheduledFuture<?> connectTimeout;
    private IdleTimer idle;
    private Side fromClient;
    private Side fromPeer;
    private int finishedDirections;
    private boolean relaying;
    private boolean ended;

    DirectRelay(DirectAcceptor home, LinuxSocket client, InetSocketAddress clientAddress) {
        this.home = home;
        this.server = home.server();
        this.loop = home.loop();
        this.client = client;
        this.clientAddress = clientAddress;
    }

    /** Asks for the client's targets and connects to the first. */
    void start() {
        if (ended) {
            return;
        }
        try {
            targets = server.targets().forClient(clientAddress);
        } catch (RuntimeException e) {
            end(RelayOutcome.ERROR, e, false);
            return;
        }
        connectDeadline = System.nanoTime() + server.connectTimeoutNanos();
        connectNext(null);
    }

    /** Ends the relay, resetting both sockets; see {@link SpliceRelayServer#close()}. */
    void abort() {
        if (!ended) {
            end(RelayOutcome.ERROR, new IOException("the relay was aborted"), true);
        }
    }

    private void connectNext(Exception lastFailure) {
        if (ended) {
            return;
        }
        long left = connectDeadline - System.nanoTime();
        if (left <= 0 || !targets.hasNext()) {
            end(RelayOutcome.ERROR, lastFailure != null ? lastFailure
                    : new ConnectException("no target for client " + clientAddress), false);
            return;
        }
        target = targets.next();
        try {
            connectTimeout = loop.schedule(this::connectTimedOut, left, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException shuttingDown) {
            connectFailed(shuttingDown);
            return;
        }
        if (target.isUnresolved()) {
            resolve();
        } else {
            connect(target);
        }
    }

    /**
     * Resolves {@link #target}'s name, then connects to it, within the same connect timeout. The lookup's result is
     * taken in a task of its own: a resolver may complete it while the loop dispatches an epoll batch (Netty's DNS
     * resolver reads its answer on the loop), where no socket may be opened (see the class comment).
     */
    private void resolve() {
        resolving = true;
        Future<InetSocketAddress> lookup;
        try {
            lookup = server.resolver(loop).resolve(target);
        } catch (RuntimeException e) {
            connectFailed(e);
            return;
        }
        lookup.addListener(done -> {
            try {
                loop.execute(() -> resolved(lookup));
            } catch (RejectedExecutionException shuttingDown) {
                // The loop closes, and its acceptor aborts every relay, this one included (DirectAcceptor#loopClosing).
            }
        });
    }

    /**
     * The lookup ended. If the connect timeout came first, the relay has given the target up and ends once it has
     * found no time left for another: the answer is ignored.
     */
    private void resolved(Future<InetSocketAddress> lookup) {
        if (!resolving || ended) {
            return;
        }
        resolving = false;
        if (!lookup.isSuccess()) {
            connectFailed(lookup.cause() instanceof Exception e ? e : new IOException(lookup.cause()));
            return;
        }
        connect(lookup.getNow());
    }

    private void connect(InetSocketAddress address) {
        boolean connected;
        try {
            peer = LinuxSocket.newSocketStream(address.getAddress() instanceof Inet6Address);
            peer.setTcpNoDelay(true);
            connected = peer.connect(address);
            peerRegistration = EpollIo.register(loop, peer, new Events(false));
            peerRegistration.interest(PEER_EDGE_INTEREST);
            peerEdgeTriggered = true;
        } catch (IOException | RuntimeException e) {
            // Netty's ChannelException, unchecked, when no descriptor is left for the socket: not the target's fault.
            connectFailed(e);
            return;
        }
        if (connected) {
            connected();
        }
    }

    /**
     * The connecting target socket's readiness. Writable without an error or hang-up is connected: a TCP socket is
     * never writable before its handshake is done, and a failed connect reports both. Only then does the relay skip
     * Netty's {@code finishConnect}, a read of {@code SO_ERROR}, one system call per connection. Bytes or a FIN the
     * target sent at once are in the same event, which the edge-triggered registration does not repeat.
     */
    private void connectReady(int ops) {
        if (((ops & EpollIo.OUT) == 0 || (ops & (EpollIo.ERR | EpollIo.HUP)) != 0) && !finishConnect()) {
            return;
        }
        connected();
        if ((ops & (EpollIo.IN | EpollIo.RDHUP | EpollIo.HUP)) != 0) {
            ready(false, ops & ~EpollIo.OUT);
        }
    }

    /** Netty's {@code finishConnect}: true once connected; a failure is reported and the next target tried. */
    private boolean finishConnect() {
        try {
            return peer.finishConnect();
        } catch (IOException e) {
            connectFailed(e);
            return false;
        }
    }

    private void connectTimedOut() {
        if (!relaying && !ended) {
            connectFailed(new ConnectTimeoutException("connect to " + target + " timed out: the client's connects "
                    + "took " + TimeUnit.NANOSECONDS.toMillis(server.connectTimeoutNanos()) + " ms"));
        }
    }

    /** Reports the failure, closes the target socket and tries the next target a task later (see the class comment). */
    private void connectFailed(Exception cause) {
        if (connectTimeout != null) {
            connectTimeout.cancel(false);
            connectTimeout = null;
        }
        resolving = false;
        closePeer(false);
        server.listener().connectFailed(clientAddress, target, cause);
        try {
            loop.execute(() -> connectNext(cause));
        } catch (RejectedExecutionException shuttingDown) {
            end(RelayOutcome.ERROR, cause, false);
        }
    }

    /** The target accepted: registers the client and relays; a failure to do so ends the relay. */
    private void connected() {
        if (connectTimeout != null) {
            connectTimeout.cancel(false);
            connectTimeout = null;
        }
        ByteBuf preface;
        try {
            preface = preface();
        } catch (IOException | RuntimeException e) {
            end(RelayOutcome.ERROR, e, true);
            return;
        }
        relaying = true;
        fromClient = new Side(client, peer, preface);
        fromPeer = new Side(peer, client, null);
        idle = new IdleTimer(loop, server.config().idleTimeout(), this::idleTimeout);
        idle.start();
        try {
            clientRegistration = EpollIo.register(loop, client, new Events(true));
            server.listener().relayStarted(clientAddress, target);
            // Why now, before epoll reports anything: a client has usually sent its request while the relay
            // connected, and a new connection has room for a preface; one wake-up less per connection.
            fromClient.flow.move(false);
            if (!ended) {
                updateInterest();
            }
        } catch (Throwable e) {
            fail(e);
        }
    }

    /** The server's preface for the connected target, or {@code null} for none; the caller owns it. */
    private ByteBuf preface() throws IOException {
        RelayPreface preface = server.preface();
        if (preface == null) {
            return null;
        }
        ByteBuf bytes = preface.preface(clientAddress, client.localAddress(), target);
        if (bytes != null && !bytes.isReadable()) {
            bytes.release();
            return null;
        }
        return bytes;
    }

    private void ready(boolean ofClient, int ops) {
        if (ended) {
            return;
        }
        if (!relaying) {
            connectReady(ops);
            return;
        }
        Side out = ofClient ? fromClient : fromPeer;
        Side in = ofClient ? fromPeer : fromClient;
        try {
            IOException error = SocketFlow.ready(ops, ofClient ? client : peer, out.flow, in.flow, isEnded);
            if (error != null) {
                fail(error);
            } else if (!ended) {
                updateInterest();
            }
        } catch (Throwable e) {
            fail(e);
        }
    }

    private void updateInterest() throws IOException {
        clientRegistration.interest(SocketFlow.interest(fromClient.flow, fromPeer.flow));
        if (!peerEdgeTriggered) {
            peerRegistration.interest(SocketFlow.interest(fromPeer.flow, fromClient.flow));
        }
    }

    private void fail(Throwable cause) {
        end(Channels.isReset(cause) ? RelayOutcome.RESET : RelayOutcome.ERROR, cause, true);
    }

    private void idleTimeout() {
        if (ended) {
            return;
        }
        // A side that still has bytes coming would read a prefix and a FIN, which looks complete: reset it.
        int forClient = fromPeer.flow.inFlight();
        int forPeer = fromClient.flow.inFlight();
        end(RelayOutcome.IDLE_TIMEOUT, IdleTimer.heldBytes(forClient, forPeer), forClient > 0, forPeer > 0);
    }

    private void end(RelayOutcome outcome, Throwable cause, boolean reset) {
        end(outcome, cause, reset, reset);
    }

    /** Ends the relay once; the listener hears of it whatever happens on the way (try/finally). */
    private void end(RelayOutcome outcome, Throwable cause, boolean resetClient, boolean resetPeer) {
        if (ended) {
            return;
        }
        ended = true;
        try {
            if (connectTimeout != null) {
                connectTimeout.cancel(false);
            }
            if (idle != null) {
                idle.cancel();
                fromClient.flow.release();
                fromPeer.flow.release();
            }
            boolean connecting = !relaying && (peer != null || resolving);
            closeClient(resetClient);
            closePeer(resetPeer);
            if (connecting) {
                // Every target handed out gets a connectFailed or a relayStarted, so that a listener's count holds.
                server.listener().connectFailed(clientAddress, target, cause);
            }
        } finally {
            home.ended(this);
            boolean ran = relaying;
            ModeChoice choice = ran ? server.choice() : ModeChoice.NOT_STARTED;
            server.listener().relayEnded(clientAddress, ran ? target : null, new RelayStats(
                    ran ? fromClient.bytes : 0, ran ? fromPeer.bytes : 0, choice.mode(), choice.engine(),
                    choice.reason(), started, Instant.now(), outcome, cause));
        }
    }

    private void closeClient(boolean reset) {
        close(client, reset);
        if (clientRegistration != null) {
            clientRegistration.cancel();
            clientRegistration = null;
        }
    }

    private void closePeer(boolean reset) {
        if (peer == null) {
            return;
        }
        close(peer, reset);
        peer = null;
        if (peerRegistration != null) {
            peerRegistration.cancel();
            peerRegistration = null;
        }
    }

    private static void close(LinuxSocket socket, boolean reset) {
        try {
            if (reset) {
                socket.setSoLinger(0);
            }
        } catch (IOException notConnected) {
            // Nothing to reset: the close below is all there is.
        }
        EpollIo.closeQuietly(socket);
    }

    /**
     * One direction: the flow from one socket to the other, and its count. It starts copying; in splice mode it hands
     * the direction to a {@link PipeFlow} at the first read that fills the copy buffer ({@link #bulkAhead()}).
     */
    private final class Side implements FlowOwner {
        final LinuxSocket sink;
        final boolean toTarget;
        SocketFlow flow;
        long bytes;

        /** @param preface bytes for the sink ahead of the source's, or {@code null}; the side owns them */
        Side(LinuxSocket source, LinuxSocket sink, ByteBuf preface) {
            this.sink = sink;
            this.toTarget = source == client;
            this.flow = new SocketCopyFlow(this, source, sink, home.copyBuffer(), preface);
        }

        /**
         * Why a splicing relay copies first: most connections through a relay are short (a request, an answer, a
         * FIN), and copying them takes fewer system calls than splicing them through a pipe (two reads to tell a
         * splice's 0 at the end of stream from an urgent mark, an extra splice after a short one). Bulk is spliced
         * from its second buffer on. The copying flow has nothing held then, and the relay's interest in the source
         * stays, so the new flow gets the source's next readiness (epoll is level-triggered).
         */
        @Override
        public boolean bulkAhead() {
            if (server.choice().mode() != RelayMode.SPLICE) {
                return false;
            }
            flow = new PipeFlow(this, flow.source, sink, PipePool.of(loop));
            return true;
        }

        /**
         * Bytes may be left in the target's socket, which its edge-triggered registration would not report again: it
         * turns level-triggered, asked for when the flow has returned ({@link #updateInterest()}), and epoll reports
         * them at once. The client's registration is level-triggered already.
         */
        @Override
        public void sourceMayHaveMore() {
            if (!toTarget) {
                peerEdgeTriggered = false;
            }
        }

        @Override
        public void count(long n) {
            bytes += n;
            home.counted(toTarget, n);
            idle.activity();
        }

        /**
         * Passes the FIN on: the first direction to finish shuts its sink's output down, the last ends the relay, whose
         * close of both sockets sends it; nothing is left unread in either socket then, so the close sends a FIN.
         */
        @Override
        public void finish() {
            if (++finishedDirections == 2) {
                end(RelayOutcome.COMPLETED, null, false);
                return;
            }
            try {
                sink.shutdown(false, true);
            } catch (IOException e) {
                fail(e);
            }
        }

        @Override
        public ByteBufAllocator alloc() {
            return ByteBufAllocator.DEFAULT;
        }
    }

    /** One socket's readiness. Netty calls {@link #loopClosing} when the loop shuts down with the relay running. */
    private final class Events implements EpollIo.Listener {
        private final boolean ofClient;

        Events(boolean ofClient) {
            this.ofClient = ofClient;
        }

        @Override
        public void ready(int ops) {
            DirectRelay.this.ready(ofClient, ops);
        }

        @Override
        public void loopClosing() {
            if (!ended) {
                end(RelayOutcome.ERROR, new IOException("the event loop shut down before the relay finished"), true);
            }
        }
    }
}

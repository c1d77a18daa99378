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
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.unix.NativeInetAddress;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One event loop's listening socket of a {@link SpliceRelayServer} and the relays of the clients it accepted.
 *
 * <p>The socket is registered with the loop for reading, level-triggered, and accepts until its queue is empty. Each
 * client is admitted or closed at once ({@link RelayServerListener#admit}); the admitted ones start in one task after
 * the epoll batch that accepted them (see {@link DirectRelay} for why). An accept that fails (too many open files,
 * say) would be reported again at once, so accepting pauses for {@link #ACCEPT_PAUSE_MILLIS} instead of spinning.
 * The listening socket has {@code TCP_NODELAY}, which Linux copies to the sockets it accepts: a system call less per
 * client. The first client tells whether the kernel did; if it did not, each client gets it set.
 *
 * <p>Ownership: the acceptor owns the listening socket and closes it when it stops accepting or its loop shuts down;
 * each relay owns its sockets. Threading: every method runs on the acceptor's loop, except the constructor and the
 * byte counts' getters.
 */
final class DirectAcceptor implements EpollIo.Listener {
    static final long ACCEPT_PAUSE_MILLIS = 1000;
    private static final InternalLogger LOGGER = InternalLoggerFactory.getInstance(DirectAcceptor.class);

    private final SpliceRelayServer server;
    private final EventLoop loop;
    private final LinuxSocket socket;
    /** Filled by {@code accept4}: the address length, then the address and port, as Netty's own acceptor reads it. */
    private final byte[] acceptedAddress = new byte[26];
    /** The copy-mode flows' read buffer, shared by this loop's relays: see {@link SocketCopyFlow}. */
    private final ByteBuffer copyBuffer = ByteBuffer.allocateDirect(SocketCopyFlow.BUFFER_BYTES);
    private final Set<DirectRelay> relays = new HashSet<>();
    private final List<DirectRelay> toStart = new ArrayList<>();
    private EpollIo.Registration registration;
    /** Whether accepted sockets come with the listening socket's {@code TCP_NODELAY}; known from the first client. */
    private boolean noDelayKnown;
    private boolean noDelayInherited;
    private boolean closed;
    /** Bytes relayed by this loop's relays, ended ones included: written by the loop only, read from any thread. */
    private volatile long bytesClientToTarget;
    private volatile long bytesTargetToClient;

    DirectAcceptor(SpliceRelayServer server, EventLoop loop, LinuxSocket socket) {
        this.server = server;
        this.loop = loop;
        this.socket = socket;
    }

    EventLoop loop() {
        return loop;
    }

    /** The listening socket, open until {@link #stopAccepting()}. */
    LinuxSocket socket() {
        return socket;
    }

    SpliceRelayServer server() {
        return server;
    }

    ByteBuffer copyBuffer() {
        return copyBuffer;
    }

    /** Starts accepting. */
    void open() throws IOException {
        try {
            socket.setTcpNoDelay(true);
        } catch (IOException notTcp) {
            // An adopted socket of another kind: each client is asked, and told, as if nothing were inherited.
        }
        registration = EpollIo.register(loop, socket, this);
        registration.interest(EpollIo.IN);
    }

    @Override
    public void ready(int ops) {
        if (closed) {
            return;
        }
        try {
            int fd;
            while ((fd = socket.accept(acceptedAddress)) >= 0) {
                accepted(LinuxSocket.newSocket(fd));
            }
        } catch (IOException e) {
            pauseAccepting(e);
        }
        if (!toStart.isEmpty()) {
            loop.execute(this::startAccepted);
        }
    }

    private void accepted(LinuxSocket client) {
        InetSocketAddress address = NativeInetAddress.address(acceptedAddress, 1, acceptedAddress[0]);
        boolean admitted;
        try {
            admitted = server.listener().admit(address);
        } catch (RuntimeException e) {
            LOGGER.warn("RelayServerListener.admit threw; client {} not admitted", address, e);
            admitted = false;
        }
        if (!admitted) {
            EpollIo.closeQuietly(client);
            return;
        }
        try {
            if (!noDelayKnown) {
                noDelayInherited = client.isTcpNoDelay();
                noDelayKnown = true;
            }
            if (!noDelayInherited) {
                client.setTcpNoDelay(true);
            }
        } catch (IOException e) {
            // The client is gone already; its relay finds that out and ends at once.
        }
        DirectRelay relay = new DirectRelay(this, client, address);
        relays.add(relay);
        server.relayAdmitted();
        toStart.add(relay);
    }

    private void startAccepted() {
        List<DirectRelay> batch = new ArrayList<>(toStart);
        toStart.clear();
        for (DirectRelay relay : batch) {
            relay.start();
        }
    }

    private void pauseAccepting(IOException cause) {
        LOGGER.warn("accept on {} failed; accepting again in {} ms", server.localAddress(), ACCEPT_PAUSE_MILLIS, cause);
        try {
            registration.interest(0);
            loop.schedule(this::resumeAccepting, ACCEPT_PAUSE_MILLIS, TimeUnit.MILLISECONDS);
        } catch (IOException e) {
            LOGGER.warn("cannot pause accepting on {}; it stops", server.localAddress(), e);
            stopAccepting();
        }
    }

    private void resumeAccepting() {
        if (closed) {
            return;
        }
        try {
            registration.interest(EpollIo.IN);
        } catch (IOException e) {
            LOGGER.warn("cannot resume accepting on {}; it stops", server.localAddress(), e);
            stopAccepting();
        }
    }

    /** Closes the listening socket; the relays go on. Idempotent. */
    void stopAccepting() {
        if (closed) {
            return;
        }
        closed = true;
        if (registration != null) {
            registration.cancel();
        }
        EpollIo.closeQuietly(socket);
    }

    /** Aborts every relay of this loop. */
    void abortRelays() {
        for (DirectRelay relay : new ArrayList<>(relays)) {
            relay.abort();
        }
    }

    /** {@code n} bytes reached the target ({@code toTarget}) or the client from one of this loop's relays. */
    void counted(boolean toTarget, long n) {
        // Only this loop writes them, so a plain read-modify-write of the volatile field loses nothing.
        if (toTarget) {
            bytesClientToTarget += n;
        } else {
            bytesTargetToClient += n;
        }
    }

    long bytesClientToTarget() {
        return bytesClientToTarget;
    }

    long bytesTargetToClient() {
        return bytesTargetToClient;
    }

    /** {@code relay} has ended and closed its sockets. */
    void ended(DirectRelay relay) {
        if (relays.remove(relay)) {
            server.relayEnded();
        }
    }

    /** The loop shuts down: it has cancelled the listening socket's registration and those of the relays. */
    @Override
    public void loopClosing() {
        stopAccepting();
        abortRelays();
    }
}

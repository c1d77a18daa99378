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

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOutboundBuffer;

import java.io.IOException;
import java.util.function.BooleanSupplier;

/**
 * The {@link SpliceEngine#IO_HANDLE} engine of one relay: it takes both channels from Netty, registers their sockets
 * with the event loop itself (one {@code EpollIoHandle} per socket, see {@link EpollIo}) and moves both directions
 * with a {@link PipeFlow} each, until the relay ends and closes them, still held ({@link HeldChannel}).
 *
 * <p>Taking over: the bytes the relay handlers received before the start are flushed and both outbound buffers
 * drained (a write barrier), then both channels are deregistered. Epoll reads a FIN's bytes even with
 * {@code AUTO_READ} off, so if bytes reached a handler meanwhile, the channels are handed back and the take-over
 * starts again; after that FIN nothing more can arrive.
 *
 * <p>Interest, per socket: readable ({@code EPOLLIN | EPOLLRDHUP}) while the flow it feeds can take bytes, writable
 * while the flow into it waits for room, otherwise nothing. {@code EPOLLERR} is always reported; it ends the relay
 * with the socket's error (a reset, typically).
 *
 * <p>Ending: {@link #stop()} is called by the relay on every ending path, before it closes the channels, and from the
 * close future of a channel someone else closed, inside that {@code close()}: it cancels both registrations and gives
 * back or closes the pipes; the channels stay deregistered for the relay to close ({@link HeldChannel#letGo}). After
 * it no syscall touches either socket. When the event loop shuts down, Netty cancels the registrations and closes the
 * handles, which fails the relay the same way.
 *
 * <p>Threading: everything runs on the relay's event loop.
 */
final class PipeSplicer implements Engine {
    private final Direction inboundToPeer;
    private final Direction peerToInbound;
    private final HeldChannel inbound;
    private final HeldChannel peer;
    private PipeFlow fromInbound;
    private PipeFlow fromPeer;
    private boolean stopped;
    private final BooleanSupplier isStopped = () -> stopped;

    PipeSplicer(Direction inboundToPeer, Direction peerToInbound) {
        this.inboundToPeer = inboundToPeer;
        this.peerToInbound = peerToInbound;
        this.inbound = new HeldChannel(inboundToPeer.source());
        this.peer = new HeldChannel(peerToInbound.source());
    }

    /** Starts the take-over; the relay runs once both channels are held. */
    @Override
    public void start() {
        inboundToPeer.flushEarly();
        peerToInbound.flushEarly();
        both(barrier(inbound.channel()), barrier(peer.channel()), () -> {
            if (!stopped) {
                both(inbound.deregister(), peer.deregister(), this::takeOver);
            }
        });
    }

    /** Bytes taken from the other channel and not yet delivered to {@code sink}. */
    @Override
    public long inFlightTo(Channel sink) {
        PipeFlow flow = sink == inbound.channel() ? fromPeer : fromInbound;
        return flow == null ? 0 : flow.inFlight();
    }

    @Override
    public boolean stopsAtClose() {
        return true;
    }

    /** Lets go of both channels; see the class comment. Idempotent. */
    @Override
    public void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        inbound.letGo();
        peer.letGo();
        if (fromInbound != null) {
            fromInbound.release();
            fromPeer.release();
        }
    }

    private static ChannelFuture barrier(Channel channel) {
        return channel.writeAndFlush(Unpooled.EMPTY_BUFFER);
    }

    /** Runs {@code then} once both futures have succeeded; fails the relay if either fails. */
    private void both(ChannelFuture first, ChannelFuture second, Runnable then) {
        first.addListener((ChannelFutureListener) f1 -> second.addListener((ChannelFutureListener) f2 -> {
            if (!f1.isSuccess() || !f2.isSuccess()) {
                fail(f1.isSuccess() ? f2.cause() : f1.cause());
            } else {
                then.run();
            }
        }));
    }

    private void takeOver() {
        if (stopped || !inbound.isDeregistered() || !peer.isDeregistered()) {
            // The relay ended meanwhile (a closed channel ends it from its close future); let go of what is held.
            inbound.handBack();
            peer.handBack();
            return;
        }
        if (inboundToPeer.holdsEarly() || peerToInbound.holdsEarly() || !outboundEmpty(inbound.channel())
                || !outboundEmpty(peer.channel())) {
            inbound.handBack();
            peer.handBack();
            start();
            return;
        }
        PipePool pool = PipePool.of(inbound.channel().eventLoop());
        fromInbound = new PipeFlow(inboundToPeer, inbound.socket(), peer.socket(), pool);
        fromPeer = new PipeFlow(peerToInbound, peer.socket(), inbound.socket(), pool);
        try {
            inbound.register(new Events(true));
            peer.register(new Events(false));
            startFlow(inboundToPeer, fromInbound);
            startFlow(peerToInbound, fromPeer);
            if (!stopped) {
                updateInterest();
            }
        } catch (IOException | RuntimeException e) {
            fail(e);
        }
    }

    private static void startFlow(Direction direction, PipeFlow flow) {
        if (direction.sourceEnded()) {
            flow.startEnded();
        }
    }

    private static boolean outboundEmpty(Channel channel) {
        ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
        return buffer == null || buffer.isEmpty();
    }

    /** One socket's readiness: it is the source of {@code out} and the sink of {@code in}. */
    private void ready(boolean ofInbound, int ops) {
        if (stopped) {
            return;
        }
        PipeFlow out = ofInbound ? fromInbound : fromPeer;
        PipeFlow in = ofInbound ? fromPeer : fromInbound;
        try {
            IOException error = SocketFlow.ready(ops, (ofInbound ? inbound : peer).socket(), out, in, isStopped);
            if (error != null) {
                fail(error);
            } else if (!stopped) {
                updateInterest();
            }
        } catch (Throwable e) {
            fail(e);
        }
    }

    private void updateInterest() throws IOException {
        inbound.interest(SocketFlow.interest(fromInbound, fromPeer));
        peer.interest(SocketFlow.interest(fromPeer, fromInbound));
    }

    /** Fails the relay, through either direction: they share it. */
    private void fail(Throwable cause) {
        inboundToPeer.fail(cause);
    }

    private final class Events implements EpollIo.Listener {
        private final boolean ofInbound;

        Events(boolean ofInbound) {
            this.ofInbound = ofInbound;
        }

        @Override
        public void ready(int ops) {
            PipeSplicer.this.ready(ofInbound, ops);
        }

        @Override
        public void loopClosing() {
            fail(new IOException("the event loop shut down before the relay finished"));
        }
    }
}

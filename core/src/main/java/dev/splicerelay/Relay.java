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
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoop;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Promise;

import java.io.IOException;
import java.time.Instant;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * One relayed pair of channels: its two {@link Direction}s, its mode, its idle timer and how it ends.
 *
 * <p>Threading: all state is confined to the inbound channel's event loop. Events of a peer on another event loop
 * (copy mode only) are handed over to it, so no field needs to be volatile.
 *
 * <p>Engines: the relay starts the {@link Engine} that {@link ModeChoice} names; the engine reports through the
 * relay's {@link Direction}s, and {@link #end} stops it before the channels close.
 *
 * <p>Ending: when both directions have passed their FIN on the relay is {@link RelayOutcome#COMPLETED} and closes both
 * channels; the first direction shuts its sink's output down, the last one's FIN goes out with that close. On a
 * reset, an error or an early close it resets both sides ({@code SO_LINGER} 0), so a broken stream is never mistaken
 * for a complete one; on an idle timeout it closes them, and resets a side for which it still holds bytes.
 */
final class Relay implements Direction.Listener {
    private final Channel inbound;
    private final Channel peer;
    private final ChannelFuture peerConnect;
    private final EventLoop loop;
    private final RelayConfig config;
    private final Promise<RelayStats> completion;
    private final Direction inboundToPeer;
    private final Direction peerToInbound;
    private final Instant started = Instant.now();
    private final IdleTimer idle;
    private ModeChoice choice = ModeChoice.NOT_STARTED;
    private Engine engine;
    private boolean ended;
    private boolean failing;
    private int finishedDirections;

    Relay(Channel inbound, ChannelFuture peerConnect, RelayConfig config, Promise<RelayStats> completion) {
        this.inbound = inbound;
        this.peerConnect = peerConnect;
        this.peer = peerConnect.channel();
        this.loop = inbound.eventLoop();
        this.config = config;
        this.completion = completion;
        this.inboundToPeer = new Direction(this, inbound, peer);
        this.peerToInbound = new Direction(this, peer, inbound);
        this.idle = new IdleTimer(loop, config.idleTimeout(), this::idleTimeout);
    }

    /** Writes {@code preface}, which the relay then owns, to the peer before any byte of the inbound channel. */
    void writeToPeerFirst(ByteBuf preface) {
        inboundToPeer.writeFirst(preface);
    }

    /** Takes the channels over ({@link RelayTakeover}), then starts; from the inbound handler's handlerAdded. */
    void begin() {
        NettyVersionCheck.atFirstRelay();
        new RelayTakeover(this, inbound, peerConnect).begin();
    }

    /** Chooses the mode and starts its engine, once both channels are taken over. */
    void start() {
        if (ended) {
            return;
        }
        if (!inbound.isActive() || !peer.isActive()) {
            end(RelayOutcome.ERROR, closedEarly(inbound.isActive() ? "peer" : "inbound"));
            return;
        }
        try {
            choice = ModeChoice.choose(inbound, peer, config.mode(), config.spliceEngine());
        } catch (IllegalStateException e) {
            ended = true;
            releaseAndClose(true, true);
            completion.tryFailure(e);
            return;
        }
        engine = choice.newEngine(inboundToPeer, peerToInbound);
        idle.start();
        engine.start();
    }

    void onRead(boolean fromInbound, Object msg) {
        if (!loop.inEventLoop()) {
            if (!onLoop(() -> onRead(fromInbound, msg))) {
                ReferenceCountUtil.release(msg);
            }
        } else if (stopped()) {
            ReferenceCountUtil.release(msg);
        } else {
            outgoing(fromInbound).onRead(msg);
        }
    }

    /** Runs {@code event} on the relay's event loop, unless the relay has stopped by then. */
    void whileRunning(Runnable event) {
        if (!loop.inEventLoop()) {
            onLoop(() -> whileRunning(event));
        } else if (!stopped()) {
            event.run();
        }
    }

    /** {@code side}'s channel closed; the relay fails if it was still running. */
    void onClosed(String side) {
        failIfRunning(() -> closedEarly(side));
    }

    /** Whether a channel's close must stop the relay inside that {@code close()}; see {@link Engine#stopsAtClose}. */
    boolean stopsAtClose() {
        return engine == null || engine.stopsAtClose();
    }

    private static IOException closedEarly(String side) {
        return new IOException("the " + side + " channel closed before the relay finished");
    }

    @Override
    public void moved() {
        idle.activity();
    }

    @Override
    public void finished() {
        if (!loop.inEventLoop()) {
            onLoop(this::finished);
        } else if (!stopped() && ++finishedDirections == 2) {
            end(RelayOutcome.COMPLETED, null);
        }
    }

    @Override
    public boolean otherFinished() {
        return finishedDirections == 1;
    }

    /** See {@link SpliceRelayHandler#abort()}; any thread. */
    void abort() {
        if (!loop.inEventLoop()) {
            onLoop(this::abort);
        } else if (!ended) {
            end(RelayOutcome.ERROR, new IOException("the relay was aborted"));
        }
    }

    @Override
    public void failed(Throwable cause) {
        if (!loop.inEventLoop()) {
            onLoop(() -> failed(cause));
        } else {
            end(Channels.isReset(cause) ? RelayOutcome.RESET : RelayOutcome.ERROR, cause);
        }
    }

    /**
     * Like {@link #failed}, for events that usually come after the relay has ended (its own closing of the channels,
     * which also removes its handlers): the cause, an exception with a stack trace, is only made if it still runs.
     */
    void failIfRunning(Supplier<Throwable> cause) {
        if (!loop.inEventLoop()) {
            onLoop(() -> failIfRunning(cause));
        } else if (!ended) {
            failed(cause.get());
        }
    }

    /**
     * Fails the relay from a later task and ignores its channels' events until then. For failures reported inside a
     * channel's read loop that goes on reading afterwards, as Netty's splice does when a splice throws: closing the
     * channel now would free its fd number while that loop still reads it, and the next socket or pipe any thread
     * opens may get the number, so the read would take another connection's bytes or block the event loop.
     */
    @Override
    public void failedInReadLoop(Throwable cause) {
        failing = true;
        loop.execute(() -> failed(cause));
    }

    /**
     * Hands {@code task} to the relay's event loop from another thread; returns {@code false} if the loop has
     * terminated. Such a loop closed the relay's channels on its way out and can no longer run anything of the
     * relay's, so there is nothing left to do but release what the task would have owned.
     */
    boolean onLoop(Runnable task) {
        try {
            loop.execute(task);
            return true;
        } catch (RejectedExecutionException terminated) {
            return false;
        }
    }

    boolean hasEnded() {
        return ended;
    }

    private boolean stopped() {
        return ended || failing;
    }

    long bytesInboundToPeer() {
        return inboundToPeer.bytes();
    }

    long bytesPeerToInbound() {
        return peerToInbound.bytes();
    }

    /**
     * Bytes the relay has taken from the other channel and not yet handed to {@code sink}'s socket: those in its
     * outbound buffer and those in the engine's pipe. On the event loop only.
     */
    long bytesHeldFor(Channel sink) {
        ChannelOutboundBuffer buffer = sink.unsafe().outboundBuffer();
        long queued = buffer == null ? 0 : buffer.totalPendingWriteBytes();
        return queued + (engine == null ? 0 : engine.inFlightTo(sink));
    }

    /** The direction whose source is the inbound channel if {@code fromInbound}, else the peer. */
    Direction outgoing(boolean fromInbound) {
        return fromInbound ? inboundToPeer : peerToInbound;
    }

    private void idleTimeout() {
        if (ended) {
            return;
        }
        // A side that still has bytes coming would read a prefix and a FIN, which looks complete: reset it.
        long forInbound = bytesHeldFor(inbound);
        long forPeer = bytesHeldFor(peer);
        end(RelayOutcome.IDLE_TIMEOUT, IdleTimer.heldBytes(forInbound, forPeer), forInbound > 0, forPeer > 0);
    }

    private void end(RelayOutcome outcome, Throwable cause) {
        boolean reset = outcome == RelayOutcome.RESET || outcome == RelayOutcome.ERROR;
        end(outcome, cause, reset, reset);
    }

    /** Ends the relay once; the completion completes whatever happens on the way (try/finally). */
    private void end(RelayOutcome outcome, Throwable cause, boolean resetInbound, boolean resetPeer) {
        if (ended) {
            return;
        }
        ended = true;
        try {
            idle.cancel();
            if (engine != null) {
                // Before the channels close: their fd numbers are free for anyone once they do.
                engine.stop();
            }
            releaseAndClose(resetInbound, resetPeer);
        } finally {
            complete(outcome, cause);
        }
    }

    private void complete(RelayOutcome outcome, Throwable cause) {
        RelayStats stats = new RelayStats(inboundToPeer.bytes(), peerToInbound.bytes(), choice.mode(), choice.engine(),
                choice.reason(), started, Instant.now(), outcome, cause);
        if (peer.isRegistered() && !peer.eventLoop().inEventLoop()) {
            // A peer on another loop closes in a task of that loop; the completion comes once both channels are closed.
            peer.closeFuture().addListener(closed -> completion.trySuccess(stats));
        } else {
            completion.trySuccess(stats);
        }
    }

    private void releaseAndClose(boolean resetInbound, boolean resetPeer) {
        inboundToPeer.releaseEarly();
        peerToInbound.releaseEarly();
        Channels.close(inbound, resetInbound);
        if (!PendingConnect.closeIfUnregistered(peerConnect)) {
            Channels.close(peer, resetPeer);
        }
    }
}

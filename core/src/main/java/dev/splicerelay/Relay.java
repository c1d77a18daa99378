package dev.splicerelay;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.AbstractEpollStreamChannel;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;

import java.io.IOException;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One relayed pair of channels: its two {@link Direction}s, its mode, its idle timer and how it ends.
 *
 * <p>Threading: all state is confined to the inbound channel's event loop. Events of a peer on another event loop
 * (copy mode only) are handed over to it, so no field needs to be volatile.
 *
 * <p>Engines: copy and Netty's splice run a {@link Pump} per direction inside Netty's pipelines; the own splice engine
 * ({@link PipeSplicer}) takes both channels from Netty instead, and {@link #end} stops it before the channels close.
 *
 * <p>Ending: when both directions have shut down their sink's output the relay is {@link RelayOutcome#COMPLETED} and
 * closes both channels. On a reset, an error or an early close it resets both sides ({@code SO_LINGER} 0), so a
 * broken stream is never mistaken for a complete one; on an idle timeout it closes them.
 */
final class Relay {
    private final Channel inbound;
    private final Channel peer;
    private final ChannelFuture peerConnect;
    private final EventLoop loop;
    private final RelayConfig config;
    private final Promise<RelayStats> completion;
    private final Direction inboundToPeer;
    private final Direction peerToInbound;
    private final Instant started = Instant.now();
    private ChannelFuture inboundTakenOver;
    private ModeChoice choice;
    private PipeSplicer splicer;
    private boolean ended;
    private boolean failing;
    private int finishedDirections;
    private long lastActivityNanos = System.nanoTime();
    private ScheduledFuture<?> idleCheck;

    Relay(Channel inbound, ChannelFuture peerConnect, RelayConfig config, Promise<RelayStats> completion) {
        this.inbound = inbound;
        this.peerConnect = peerConnect;
        this.peer = peerConnect.channel();
        this.loop = inbound.eventLoop();
        this.config = config;
        this.completion = completion;
        this.inboundToPeer = new Direction(this, inbound, peer);
        this.peerToInbound = new Direction(this, peer, inbound);
    }

    /** Writes {@code preface}, which the relay then owns, to the peer before any byte of the inbound channel. */
    void writeToPeerFirst(ByteBuf preface) {
        inboundToPeer.writeFirst(preface);
    }

    /**
     * Takes the inbound channel over; called from its handler's {@code handlerAdded}, so that bytes and end of stream
     * that arrive while the peer is still connecting are held for it. The peer is taken over once connected.
     */
    void begin() {
        NettyVersionCheck.atFirstRelay();
        inboundTakenOver = takeOver(inbound);
        watchClose(inbound, "inbound");
        boolean connecting = !peerConnect.isDone();
        peerConnect.addListener((ChannelFutureListener) connect -> peerConnected(connect, connecting));
    }

    private void peerConnected(ChannelFuture connect, boolean connectedDuringRelay) {
        // Checked at once, on the thread that completed the connect: nothing can have been read yet.
        boolean inputShut = connect.isSuccess() && isInputShutdown(peer);
        boolean inputShutBeforeConnect = connectedDuringRelay && inputShut;
        if (connect.isSuccess()) {
            // At once too: no byte the peer reads may reach its pipeline first.
            peer.pipeline().addLast(new RelayEndpoint(this, false));
            if (inputShut && !connectedDuringRelay) {
                // An already connected peer's end of stream, read before its endpoint was added, reaches the relay
                // like the events after it: Direction.sourceEnded() does not ask a channel on another loop.
                onInputShutdown(false);
            }
        }
        if (loop.inEventLoop()) {
            takeOverPeer(connect, inputShutBeforeConnect);
        } else {
            onLoop(() -> takeOverPeer(connect, inputShutBeforeConnect));
        }
    }

    /**
     * A peer whose input was shut down before its connect completed can only have had a stale epoll event: Netty
     * looks channels up by fd number, so an event fetched for a channel that closed during the same
     * {@code epoll_wait} batch reaches a channel that got the freed number later in that batch, and a stale
     * {@code EPOLLRDHUP} on a channel still connecting shuts its input down. Its socket would then report end of
     * stream at once; relaying that would drop everything the target sends, so the relay fails instead.
     */
    private void takeOverPeer(ChannelFuture connect, boolean inputShutBeforeConnect) {
        if (!connect.isSuccess()) {
            fail(connect.cause());
        } else if (inputShutBeforeConnect) {
            fail(new IOException("the peer channel's input was shut down before its connect completed (a stale epoll "
                    + "event for a reused fd number): its end of stream cannot be trusted"));
        } else if (!ended) {
            ChannelFuture peerTakenOver = takeOver(peer);
            watchClose(peer, "peer");
            // One task later, so that a caller who added the relay to a connected peer can still remove a decoder,
            // whose leftover bytes then reach the relay first.
            inboundTakenOver.addListener((ChannelFutureListener) in -> peerTakenOver.addListener(
                    (ChannelFutureListener) out -> {
                        if (!in.isSuccess() || !out.isSuccess()) {
                            fail(in.isSuccess() ? out.cause() : in.cause());
                        } else {
                            onLoop(this::start);
                        }
                    }));
        }
    }

    /**
     * Ends the relay as soon as either channel closes: from its close future, which Netty completes inside
     * {@code close()}, not from {@code channelInactive}, which comes a task later. Netty's splice writes into a
     * pipe whose fd number the sink's close frees at once; the source must be closed before any other task can run
     * and reuse that number, or it would splice into another connection's pipe.
     */
    private void watchClose(Channel channel, String side) {
        channel.closeFuture().addListener(f -> {
            Runnable closed = () -> failIfRunning(() -> closedEarly(side));
            boolean copying = choice != null && choice.mode() == RelayMode.COPY;
            if (loop.inEventLoop() && !copying) {
                closed.run();
                return;
            }
            // In copy mode a write that meets a reset makes Netty close the channel, complete this future, and only
            // then fail the write with the reset, in the same call. Reported a task later on the channel's own loop,
            // the close reaches the relay after the reset, the cause to report. (A splice must stop at once, above.)
            try {
                channel.eventLoop().execute(closed);
            } catch (RejectedExecutionException terminated) {
                closed.run();
            }
        });
    }

    /** Takes {@code channel} from its application; the future completes when the relay may use it. */
    private static ChannelFuture takeOver(Channel channel) {
        channel.config().setAutoRead(false);
        channel.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        return EpollEmptyInterestWorkaround.apply(channel);
    }

    private void start() {
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
            releaseAndClose(true);
            completion.tryFailure(e);
            return;
        }
        if (choice.mode() != RelayMode.SPLICE) {
            startPumps();
            return;
        }
        if (choice.engine() == SpliceEngine.IO_HANDLE) {
            startIdleCheck();
            splicer = new PipeSplicer(this, inboundToPeer, peerToInbound);
            splicer.start();
            return;
        }
        NettySplice.levelTriggered((AbstractEpollStreamChannel) inbound).addListener((ChannelFutureListener) in ->
                NettySplice.levelTriggered((AbstractEpollStreamChannel) peer).addListener(
                        (ChannelFutureListener) out -> {
                            if (!in.isSuccess() || !out.isSuccess()) {
                                fail(in.isSuccess() ? out.cause() : in.cause());
                            } else if (!ended) {
                                startPumps();
                            }
                        }));
    }

    private void startPumps() {
        startIdleCheck();
        inboundToPeer.start(newPump(inboundToPeer));
        peerToInbound.start(newPump(peerToInbound));
    }

    private Pump newPump(Direction direction) {
        return choice.mode() == RelayMode.SPLICE ? new SplicePump(direction) : new CopyPump(direction);
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

    void onReadComplete(boolean fromInbound) {
        if (!loop.inEventLoop()) {
            onLoop(() -> onReadComplete(fromInbound));
        } else if (!stopped()) {
            outgoing(fromInbound).onReadComplete();
        }
    }

    void onInputShutdown(boolean fromInbound) {
        if (!loop.inEventLoop()) {
            onLoop(() -> onInputShutdown(fromInbound));
        } else if (!stopped()) {
            outgoing(fromInbound).onInputShutdown();
        }
    }

    void onWritabilityChanged(boolean ofInbound) {
        if (!loop.inEventLoop()) {
            onLoop(() -> onWritabilityChanged(ofInbound));
        } else if (!stopped()) {
            outgoing(!ofInbound).onSinkWritabilityChanged();
        }
    }

    private static IOException closedEarly(String side) {
        return new IOException("the " + side + " channel closed before the relay finished");
    }

    void onEndpointRemoved(boolean ofInbound) {
        failIfRunning(() -> new IllegalStateException("the relay handler was removed from the "
                + (ofInbound ? "inbound" : "peer") + " pipeline before the relay finished"));
    }

    void onException(Throwable cause) {
        fail(cause);
    }

    void directionFinished() {
        if (!loop.inEventLoop()) {
            onLoop(this::directionFinished);
        } else if (!stopped() && ++finishedDirections == 2) {
            end(RelayOutcome.COMPLETED, null);
        }
    }

    void fail(Throwable cause) {
        if (!loop.inEventLoop()) {
            onLoop(() -> fail(cause));
        } else {
            end(isReset(cause) ? RelayOutcome.RESET : RelayOutcome.ERROR, cause);
        }
    }

    /**
     * Like {@link #fail}, for events that usually come after the relay has ended (its own closing of the channels,
     * which also removes its handlers): the cause, an exception with a stack trace, is only made if it still runs.
     */
    private void failIfRunning(Supplier<Throwable> cause) {
        if (!loop.inEventLoop()) {
            onLoop(() -> failIfRunning(cause));
        } else if (!ended) {
            fail(cause.get());
        }
    }

    /**
     * Fails the relay from a later task and ignores its channels' events until then. For failures reported inside a
     * channel's read loop that goes on reading afterwards, as Netty's splice does when a splice throws: closing the
     * channel now would free its fd number while that loop still reads it, and the next socket or pipe any thread
     * opens may get the number, so the read would take another connection's bytes or block the event loop.
     */
    void failAfterReadLoop(Throwable cause) {
        failing = true;
        loop.execute(() -> fail(cause));
    }

    /**
     * Hands {@code task} to the relay's event loop from another thread; returns {@code false} if the loop has
     * terminated. Such a loop closed the relay's channels on its way out and can no longer run anything of the
     * relay's, so there is nothing left to do but release what the task would have owned.
     */
    private boolean onLoop(Runnable task) {
        try {
            loop.execute(task);
            return true;
        } catch (RejectedExecutionException terminated) {
            return false;
        }
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
        return queued + (splicer == null ? 0 : splicer.inFlightTo(sink));
    }

    void activity() {
        lastActivityNanos = System.nanoTime();
    }

    private Direction outgoing(boolean fromInbound) {
        return fromInbound ? inboundToPeer : peerToInbound;
    }

    private void startIdleCheck() {
        if (!config.idleTimeout().isZero()) {
            scheduleIdleCheck(config.idleTimeout().toNanos());
        }
    }

    private void scheduleIdleCheck(long delayNanos) {
        idleCheck = loop.schedule(this::checkIdle, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void checkIdle() {
        if (ended) {
            return;
        }
        long idleNanos = System.nanoTime() - lastActivityNanos;
        long timeoutNanos = config.idleTimeout().toNanos();
        if (idleNanos >= timeoutNanos) {
            end(RelayOutcome.IDLE_TIMEOUT, null);
        } else {
            scheduleIdleCheck(timeoutNanos - idleNanos);
        }
    }

    private void end(RelayOutcome outcome, Throwable cause) {
        if (ended) {
            return;
        }
        ended = true;
        if (idleCheck != null) {
            idleCheck.cancel(false);
        }
        if (splicer != null) {
            // Before the channels close: their fd numbers are free for anyone once they do.
            splicer.stop();
        }
        releaseAndClose(outcome == RelayOutcome.RESET || outcome == RelayOutcome.ERROR);
        RelayMode mode = choice == null ? RelayMode.COPY : choice.mode();
        SpliceEngine engine = choice == null ? null : choice.engine();
        String reason = choice == null ? "the relay ended before it started" : choice.reason();
        RelayStats stats = new RelayStats(inboundToPeer.bytes(), peerToInbound.bytes(), mode, engine, reason, started,
                Instant.now(), outcome, cause);
        if (peer.isRegistered() && !peer.eventLoop().inEventLoop()) {
            // A peer on another loop closes in a task of that loop; the completion comes once both channels are closed.
            peer.closeFuture().addListener(closed -> completion.trySuccess(stats));
        } else {
            completion.trySuccess(stats);
        }
    }

    private void releaseAndClose(boolean reset) {
        inboundToPeer.releaseEarly();
        peerToInbound.releaseEarly();
        close(inbound, reset);
        close(peer, reset);
    }

    private static void close(Channel channel, boolean reset) {
        if (reset && channel.isActive()) {
            channel.config().setOption(ChannelOption.SO_LINGER, 0);
        }
        channel.close();
    }

    /** Whether {@code channel}'s input is shut down; channels that cannot half-close never are. */
    static boolean isInputShutdown(Channel channel) {
        return channel instanceof DuplexChannel && ((DuplexChannel) channel).isInputShutdown();
    }

    private static boolean isReset(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            String message = t.getMessage();
            if (t instanceof IOException && message != null) {
                String lower = message.toLowerCase(Locale.ROOT);
                if (lower.contains("reset") || lower.contains("broken pipe")) {
                    return true;
                }
            }
        }
        return false;
    }
}

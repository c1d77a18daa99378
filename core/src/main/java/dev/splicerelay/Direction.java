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
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.util.ReferenceCountUtil;

import java.util.ArrayDeque;

/**
 * One direction of a relay: bytes read from {@code source} are written to {@code sink}, in order, and once the
 * source reaches end of stream and every byte has been flushed, the sink's output is shut down.
 *
 * <p>Until the relay starts, buffers that reach the source's relay handler (a handshake's leftovers, a removed
 * decoder's cumulation) are held here; on start they are written first, then the {@link Engine} takes over. A preface
 * given with {@link #writeFirst} goes before them; it is not counted, since it was never read from the source.
 *
 * <p>The direction is the engines' only way to report to the relay: bytes moved, a direction finished, a failure;
 * it passes them to its {@link Listener}.
 *
 * <p>Threading: every method runs on the relay's event loop, except {@link #bytes()}, which any thread may call.
 * Reference counting: {@link #onRead(Object)} takes
 * ownership of the message; it is written to the sink (which then owns it) or released, on every path.
 */
final class Direction implements FlowOwner {
    /** What a direction reports to its relay. Threading: the relay's event loop. */
    interface Listener {
        /** Bytes moved: the relay is not idle. */
        void moved();

        /**
         * A direction has flushed its last byte and passed its FIN on: with its sink's output shut down, or, as the
         * last direction, left to the close of both channels.
         */
        void finished();

        /**
         * Whether the other direction has finished: then this one's FIN goes out with the close of both channels that
         * its {@link #finished()} brings, with no {@code shutdown(2)} first. Both sources are at their end of stream
         * then, nothing is left unread in either socket, so the close sends a FIN, not a reset.
         */
        boolean otherFinished();

        /** Ends the relay with {@code cause}: {@link RelayOutcome#RESET} for a reset, else an error; any thread. */
        void failed(Throwable cause);

        /**
         * A failure reported inside a channel's read loop, which goes on reading afterwards (Netty's splice): the
         * relay must not close the channel before that loop is over.
         */
        void failedInReadLoop(Throwable cause);
    }

    private final Listener listener;
    private final Channel source;
    private final Channel sink;
    private final ArrayDeque<ByteBuf> early = new ArrayDeque<>();
    private ByteBuf preface;
    private Pump pump;
    private boolean sourceEofBeforeStart;
    private boolean finishing;
    private boolean unflushed;
    // Written only by the relay's event loop; volatile so that other threads can read a live count.
    private volatile long bytes;

    Direction(Listener listener, Channel source, Channel sink) {
        this.listener = listener;
        this.source = source;
        this.sink = sink;
    }

    Channel source() {
        return source;
    }

    Channel sink() {
        return sink;
    }

    @Override
    public ByteBufAllocator alloc() {
        return source.alloc();
    }

    /** Bytes read from the source and handed to the sink so far. */
    long bytes() {
        return bytes;
    }

    /** Counts bytes that moved, as they are handed to the sink. */
    @Override
    public void count(long n) {
        bytes += n;
        listener.moved();
    }

    void start(Pump pump) {
        flushEarly();
        this.pump = pump;
        if (sourceEnded()) {
            finish();
        } else {
            pump.start();
        }
    }

    /** Makes {@code preface}, which this direction then owns, the first bytes the sink gets; before the start only. */
    void writeFirst(ByteBuf preface) {
        this.preface = preface;
    }

    /**
     * Writes and flushes the preface, if any, and the buffers that reached the source's handler before the relay
     * started.
     */
    void flushEarly() {
        if (preface != null) {
            ByteBuf first = preface;
            preface = null;
            sink.write(first, sink.voidPromise());
        }
        ByteBuf buf;
        while ((buf = early.poll()) != null) {
            forward(buf);
        }
        unflushed = false;
        sink.flush();
    }

    /** Whether buffers that reached the source's handler wait for {@link #flushEarly()}. */
    boolean holdsEarly() {
        return preface != null || !early.isEmpty();
    }

    /**
     * Whether Netty has already read the source's end of stream: its bytes all went through the pipeline. Only a source
     * on the relay's loop is asked directly; on another loop, its end of stream may already be read while the bytes
     * before it still wait to be handed over, so there the handed-over event alone counts.
     */
    boolean sourceEnded() {
        return sourceEofBeforeStart || (source.eventLoop().inEventLoop() && Channels.isInputShutdown(source));
    }

    void onRead(Object msg) {
        if (!(msg instanceof ByteBuf)) {
            ReferenceCountUtil.release(msg);
            listener.failed(new IllegalStateException("the relay handler received a "
                    + msg.getClass().getName() + ", not a ByteBuf: remove decoders before relaying"));
        } else if (pump == null) {
            early.add((ByteBuf) msg);
        } else {
            forward((ByteBuf) msg);
        }
    }

    void onReadComplete() {
        if (unflushed) {
            unflushed = false;
            sink.flush();
        }
        if (pump != null) {
            pump.readComplete();
        }
    }

    /** End of stream; the event may also have fired before the relay handler was added, see {@link #start}. */
    void onInputShutdown() {
        if (pump == null) {
            sourceEofBeforeStart = true;
        } else {
            pump.inputShutdown();
        }
    }

    void onSinkWritabilityChanged() {
        if (pump != null) {
            pump.sinkWritabilityChanged();
        }
    }

    /**
     * The source is at end of stream and its bytes are all queued: flush them, then shut down the sink's output, unless
     * this is the last direction to finish ({@link Listener#otherFinished()}), whose relay then closes both channels.
     */
    @Override
    public void finish() {
        if (finishing) {
            return;
        }
        finishing = true;
        sink.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) flushed -> {
            if (!flushed.isSuccess()) {
                fail(flushed.cause());
                return;
            }
            // The listener runs on the sink's loop; the relay's state may be asked there only if it is the relay's.
            if (sink.eventLoop() == source.eventLoop() && listener.otherFinished()) {
                listener.finished();
                return;
            }
            Channels.shutdownOutput(sink).addListener((ChannelFutureListener) shut -> {
                if (shut.isSuccess()) {
                    listener.finished();
                } else {
                    fail(shut.cause());
                }
            });
        });
    }

    /**
     * Writes and flushes {@code buf}, bytes a pump read from the source itself, counted as relayed; the sink owns it
     * from here.
     */
    ChannelFuture forwardNow(ByteBuf buf) {
        count(buf.readableBytes());
        return sink.writeAndFlush(buf);
    }

    void fail(Throwable cause) {
        listener.failed(cause);
    }

    /** See {@link Listener#failedInReadLoop}. */
    void failAfterReadLoop(Throwable cause) {
        listener.failedInReadLoop(cause);
    }

    /** Releases what was never forwarded; called once when the relay ends. */
    void releaseEarly() {
        if (preface != null) {
            preface.release();
            preface = null;
        }
        ByteBuf buf;
        while ((buf = early.poll()) != null) {
            buf.release();
        }
    }

    private void forward(ByteBuf buf) {
        count(buf.readableBytes());
        unflushed = true;
        sink.write(buf, sink.voidPromise());
    }
}

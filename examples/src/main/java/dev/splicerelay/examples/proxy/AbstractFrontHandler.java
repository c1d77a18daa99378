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

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * The life of an accepted client until it is relayed: the front reads the client's request (if its protocol has
 * one), asks the {@link TargetConnector} to connect, answers the client, and is then removed by the connector, which
 * puts a {@code SpliceRelayHandler} in its place.
 *
 * <p>Until then this class holds what the relay must see first: every {@link ByteBuf} that reaches it (bytes the
 * client sent after its request; a decoder in front of it passes them on as buffers) and the client's end of stream,
 * if it came. When removed from an active channel it passes them on, in order, to the handler after it, as
 * {@link io.netty.handler.codec.ByteToMessageDecoder} does with its cumulation; on a closed channel it releases them.
 * The channel's {@code AUTO_READ} is off: a front asks for each read it wants, so that nothing is read past the
 * request until the relay takes over.
 *
 * <p>A front with a request to read gets {@code --handshake-timeout} to receive it; then
 * {@link #handshakeTimedOut} answers and closes.
 *
 * <p>Threading: every method runs on the client channel's event loop, which the target channel shares, so the
 * fields are plain. Reference counting: this handler owns the buffers it holds; other messages (decoded requests)
 * go to {@link #requestReceived}, which owns them.
 */
abstract class AbstractFrontHandler extends ChannelInboundHandlerAdapter {
    private static final Logger logger = LoggerFactory.getLogger(AbstractFrontHandler.class);

    private final TargetConnector connector;
    private final Duration handshakeTimeout;
    private final ArrayDeque<ByteBuf> held = new ArrayDeque<>();
    private boolean inputShutdown;
    private boolean connecting;
    private boolean closing;
    private ScheduledFuture<?> handshakeDeadline;

    /** @param handshakeTimeout how long the client has to send its request; {@link Duration#ZERO} for none */
    AbstractFrontHandler(TargetConnector connector, Duration handshakeTimeout) {
        this.connector = connector;
        this.handshakeTimeout = handshakeTimeout;
    }

    /** Which front this is, for the logs and the metrics. */
    protected abstract Front kind();

    /** Starts the front's work on a newly accepted, active client: read the request, or connect at once. */
    protected abstract void start(ChannelHandlerContext ctx);

    /** The target could not be connected; answer the client if its protocol allows, and close it. */
    protected abstract void connectFailed(ChannelHandlerContext ctx, ProxyAddress target, ConnectFailure failure);

    /**
     * A decoded message of the front's protocol, which this method owns. Only fronts with a decoder get any; this
     * default releases it and closes the client.
     */
    protected void requestReceived(ChannelHandlerContext ctx, Object msg) {
        logger.debug("{}: unexpected {}, closing", ctx.channel(), msg.getClass().getSimpleName());
        ReferenceCountUtil.release(msg);
        refused(Refusal.HANDSHAKE);
        ctx.close();
    }

    /** The target is connected: answer the client, if the protocol has an answer. The relay is added right after. */
    protected void connected(ChannelHandlerContext ctx, Channel target) {
        // Nothing to answer by default: the relay starts right away.
    }

    /** The client sent no complete request within {@code --handshake-timeout}; by default, close it. */
    protected void handshakeTimedOut(ChannelHandlerContext ctx) {
        ctx.close();
    }

    /** No target was up to try: by default, close the client; a protocol with error replies answers first. */
    protected void noTargetUp(ChannelHandlerContext ctx) {
        ctx.close();
    }

    /**
     * Connects to a target of {@code group}, trying them in {@code choice}'s order; the handshake, if any, is over and
     * its deadline no longer applies.
     *
     * @return the first target channel's connect, or {@code null} if no target was up
     */
    protected final ChannelFuture connect(ChannelHandlerContext ctx, TargetGroup group, TargetChoice choice) {
        connecting = true;
        cancelHandshakeDeadline();
        return connector.connect(ctx, group, choice, this);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (!handshakeTimeout.isZero()) {
            handshakeDeadline = ctx.executor().schedule(() -> {
                logger.debug("{}: no request within {} ms", ctx.channel(), handshakeTimeout.toMillis());
                refused(Refusal.HANDSHAKE);
                handshakeTimedOut(ctx);
            }, handshakeTimeout.toNanos(), TimeUnit.NANOSECONDS);
        }
        start(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf) {
            held.add((ByteBuf) msg);
        } else {
            requestReceived(ctx, msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // Not passed on: a read cycle ends at the front until the relay exists.
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == ChannelInputShutdownEvent.INSTANCE) {
            inputShutdown = true;
            if (!connecting && !closing) {
                // The request is incomplete and can no longer be completed: nothing left to wait for.
                ctx.close();
            }
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        logger.debug("{}: closing after {}", ctx.channel(), cause.toString());
        ctx.close();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelHandshakeDeadline();
        if (!ctx.channel().isActive()) {
            ByteBuf buf;
            while ((buf = held.poll()) != null) {
                buf.release();
            }
            return;
        }
        boolean passedOn = !held.isEmpty();
        ByteBuf buf;
        while ((buf = held.poll()) != null) {
            ctx.fireChannelRead(buf);
        }
        if (passedOn) {
            ctx.fireChannelReadComplete();
        }
        if (inputShutdown) {
            ctx.fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        }
    }

    /** Counts the client as refused, for {@code reason}; the front then answers it, if it can, and closes it. */
    protected final void refused(Refusal reason) {
        connector.refused(reason);
    }

    /** Writes {@code reply} (which the channel then owns) and closes the client once it is flushed. */
    protected final void replyAndClose(ChannelHandlerContext ctx, Object reply) {
        closing = true;
        cancelHandshakeDeadline();
        ctx.writeAndFlush(reply).addListener(ChannelFutureListener.CLOSE);
    }

    private void cancelHandshakeDeadline() {
        if (handshakeDeadline != null) {
            handshakeDeadline.cancel(false);
            handshakeDeadline = null;
        }
    }
}

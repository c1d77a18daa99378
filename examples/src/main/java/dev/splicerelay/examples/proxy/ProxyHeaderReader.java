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

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * {@code --accept-proxy}: every client starts with a PROXY protocol header, version 1 or 2 (Netty's
 * {@link HAProxyMessageDecoder}, in front of this handler, tells them apart and parses them). The front starts only
 * once the header is in: then the addresses it carries are recorded as the client's ({@link ClientAddress}), the
 * front's handlers are added behind this one, and this handler and the decoder leave the pipeline, the decoder
 * passing on the bytes that followed the header.
 *
 * <p>A header that is malformed, longer than the decoder allows, cut short by the client's end of stream, or not
 * complete within {@code --handshake-timeout} closes the connection: no byte is relayed and no target connected. The
 * malformed, oversized and slow ones count as refused ({@link Refusal#PROXY_HEADER}), once per connection; a client
 * that leaves first, or whose connection fails, was not refused. A version 2 {@code LOCAL} header, or a version 1
 * {@code UNKNOWN} one, leaves the connection's own addresses in place.
 *
 * <p>One instance per connection; runs on its event loop. Reference counting: the decoded {@link HAProxyMessage} is
 * released here; no buffer reaches this handler.
 */
final class ProxyHeaderReader extends ChannelInboundHandlerAdapter {
    /** Bytes of version 2 TLVs accepted after the addresses; the proxy reads none of them, and a bigger header is refused. */
    static final int MAX_TLV_BYTES = 4096;

    private static final Logger logger = LoggerFactory.getLogger(ProxyHeaderReader.class);

    private final Duration timeout;
    private final ProxyEvents events;
    private final Consumer<ChannelPipeline> front;
    private ScheduledFuture<?> deadline;
    private boolean refused;

    /** @param front adds the front's handlers at the end of the pipeline, once the header is in */
    ProxyHeaderReader(Duration timeout, ProxyEvents events, Consumer<ChannelPipeline> front) {
        this.timeout = timeout;
        this.events = events;
        this.front = front;
    }

    /** The decoder that goes in front of this handler. */
    static HAProxyMessageDecoder newDecoder() {
        return new HAProxyMessageDecoder(MAX_TLV_BYTES);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        deadline = ctx.executor().schedule(() -> {
            logger.debug("{}: no complete PROXY header within {} ms, closing", ctx.channel(), timeout.toMillis());
            refuse(ctx);
        }, timeout.toNanos(), TimeUnit.NANOSECONDS);
        ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HAProxyMessage header)) {
            ReferenceCountUtil.release(msg);
            refuse(ctx);
            return;
        }
        try {
            SocketAddress source = address(header.proxiedProtocol(), header.sourceAddress(), header.sourcePort());
            SocketAddress destination = address(header.proxiedProtocol(), header.destinationAddress(),
                    header.destinationPort());
            if (header.command() == HAProxyCommand.PROXY && source != null && destination != null) {
                ClientAddress.setFromProxyHeader(ctx.channel(), source, destination);
            }
        } finally {
            header.release();
        }
        logger.debug("{}: PROXY header: client {}", ctx.channel(), ClientAddress.source(ctx.channel()));
        ChannelPipeline pipeline = ctx.pipeline();
        front.accept(pipeline);
        // The decoder removes itself once this returns, and passes what followed the header on to the front.
        pipeline.remove(this);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // Not passed on: the front is not there yet.
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == ChannelInputShutdownEvent.INSTANCE) {
            logger.debug("{}: end of stream before a complete PROXY header, closing", ctx.channel());
            ctx.close();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof DecoderException) {
            // The decoder's verdict on the header (HAProxyProtocolException, or too long).
            logger.debug("{}: bad PROXY header ({}), closing", ctx.channel(), cause.toString());
            refuse(ctx);
        } else {
            logger.debug("{}: closing before a complete PROXY header after {}", ctx.channel(), cause.toString());
            ctx.close();
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (deadline != null) {
            deadline.cancel(false);
        }
    }

    /** Counts the client as refused for its header, the first time, and closes it. */
    private void refuse(ChannelHandlerContext ctx) {
        if (!refused) {
            refused = true;
            events.connectionRefused(Refusal.PROXY_HEADER);
        }
        ctx.close();
    }

    /** An address of the header, or {@code null} for one of no known family. */
    private static SocketAddress address(HAProxyProxiedProtocol protocol, String address, int port) {
        return switch (protocol.addressFamily()) {
            case AF_IPv4, AF_IPv6 -> new InetSocketAddress(NetUtil.createInetAddressFromIpAddressString(address), port);
            case AF_UNIX -> new DomainSocketAddress(address);
            case AF_UNSPEC -> null;
        };
    }
}

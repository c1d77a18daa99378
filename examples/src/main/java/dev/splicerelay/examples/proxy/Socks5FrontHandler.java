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

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.socksx.v5.DefaultSocks5CommandResponse;
import io.netty.handler.codec.socksx.v5.DefaultSocks5InitialResponse;
import io.netty.handler.codec.socksx.v5.Socks5AddressDecoder;
import io.netty.handler.codec.socksx.v5.Socks5AddressType;
import io.netty.handler.codec.socksx.v5.Socks5AuthMethod;
import io.netty.handler.codec.socksx.v5.Socks5CommandRequest;
import io.netty.handler.codec.socksx.v5.Socks5CommandRequestDecoder;
import io.netty.handler.codec.socksx.v5.Socks5CommandStatus;
import io.netty.handler.codec.socksx.v5.Socks5CommandType;
import io.netty.handler.codec.socksx.v5.Socks5InitialRequest;
import io.netty.handler.codec.socksx.v5.Socks5InitialRequestDecoder;
import io.netty.util.NetUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * The {@code socks5} front: a SOCKS5 server (RFC 1928) that offers no authentication and serves the {@code CONNECT}
 * command only. Sits behind Netty's {@link Socks5InitialRequestDecoder}, which it replaces with a
 * {@link Socks5CommandRequestDecoder} after the greeting, and a {@code Socks5ServerEncoder} for its replies.
 *
 * <p>Replies, after which the connection is closed unless it succeeded: {@code 0x00} and the relay takes over;
 * {@code 0x02} for a target not in {@code --allow}; {@code 0x03}, {@code 0x04}, {@code 0x05} for an unreachable
 * network, an unreachable or unresolvable host or a timeout, and a refused connection; {@code 0x07} for the
 * {@code BIND} and {@code UDP ASSOCIATE} commands; {@code 0x08} for an unknown address type; {@code 0x01} for a target
 * that is down (see {@link Target}) and anything else. A greeting that is not SOCKS5, or that offers no "no authentication" method (answered with {@code 0xFF}),
 * closes the connection, as does {@code --handshake-timeout}.
 */
final class Socks5FrontHandler extends RequestFrontHandler {
    private static final Logger logger = LoggerFactory.getLogger(Socks5FrontHandler.class);

    /** Netty's address decoder, but failing with a type of its own for an unknown type so that it gets {@code 0x08}. */
    private static final Socks5AddressDecoder ADDRESS_DECODER = (type, in) -> {
        if (type != Socks5AddressType.IPv4 && type != Socks5AddressType.DOMAIN && type != Socks5AddressType.IPv6) {
            throw new UnsupportedAddressTypeException(type);
        }
        return Socks5AddressDecoder.DEFAULT.decodeAddress(type, in);
    };

    Socks5FrontHandler(TargetConnector connector, Duration handshakeTimeout, TargetGroup allowed) {
        super(connector, handshakeTimeout, allowed);
    }

    @Override
    protected Front kind() {
        return Front.SOCKS5;
    }

    @Override
    protected void requestReceived(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Socks5InitialRequest) {
            greeting(ctx, (Socks5InitialRequest) msg);
        } else if (msg instanceof Socks5CommandRequest) {
            command(ctx, (Socks5CommandRequest) msg);
        } else {
            super.requestReceived(ctx, msg);
        }
    }

    @Override
    protected void connected(ChannelHandlerContext ctx, Channel target) {
        InetSocketAddress bound = (InetSocketAddress) target.localAddress();
        Socks5AddressType type = bound.getAddress() instanceof Inet6Address
                ? Socks5AddressType.IPv6 : Socks5AddressType.IPv4;
        ctx.writeAndFlush(new DefaultSocks5CommandResponse(Socks5CommandStatus.SUCCESS, type,
                NetUtil.toAddressString(bound.getAddress()), bound.getPort()));
    }

    @Override
    protected void connectFailed(ChannelHandlerContext ctx, ProxyAddress target, ConnectFailure failure) {
        reject(ctx, switch (failure) {
            case REFUSED -> Socks5CommandStatus.CONNECTION_REFUSED;
            case HOST_UNREACHABLE, UNRESOLVED, TIMEOUT -> Socks5CommandStatus.HOST_UNREACHABLE;
            case NETWORK_UNREACHABLE -> Socks5CommandStatus.NETWORK_UNREACHABLE;
            case OTHER -> Socks5CommandStatus.FAILURE;
        }, "cannot connect to " + target + ": " + failure);
    }

    @Override
    protected void noTargetUp(ChannelHandlerContext ctx) {
        reject(ctx, Socks5CommandStatus.FAILURE, "the target is down");
    }

    private void greeting(ChannelHandlerContext ctx, Socks5InitialRequest greeting) {
        if (greeting.decoderResult().isFailure()) {
            logger.debug("{}: not a SOCKS5 greeting ({}), closing", ctx.channel(), greeting.decoderResult().cause());
            refused(Refusal.HANDSHAKE);
            ctx.close();
        } else if (!greeting.authMethods().contains(Socks5AuthMethod.NO_AUTH)) {
            logger.debug("{}: the client offers no method without authentication", ctx.channel());
            refused(Refusal.HANDSHAKE);
            replyAndClose(ctx, new DefaultSocks5InitialResponse(Socks5AuthMethod.UNACCEPTED));
        } else {
            ctx.pipeline().replace(Socks5InitialRequestDecoder.class, "socks5-command-decoder",
                    new Socks5CommandRequestDecoder(ADDRESS_DECODER));
            ctx.writeAndFlush(new DefaultSocks5InitialResponse(Socks5AuthMethod.NO_AUTH));
            ctx.read();
        }
    }

    private void command(ChannelHandlerContext ctx, Socks5CommandRequest command) {
        if (command.decoderResult().isFailure()) {
            Throwable cause = command.decoderResult().cause();
            refused(Refusal.HANDSHAKE);
            reject(ctx, cause instanceof UnsupportedAddressTypeException
                    ? Socks5CommandStatus.ADDRESS_UNSUPPORTED : Socks5CommandStatus.FAILURE, String.valueOf(cause));
            return;
        }
        if (!command.type().equals(Socks5CommandType.CONNECT)) {
            refused(Refusal.HANDSHAKE);
            reject(ctx, Socks5CommandStatus.COMMAND_UNSUPPORTED, "command " + command.type() + " is not supported");
            return;
        }
        HostPort target;
        try {
            target = new HostPort(command.dstAddr(), command.dstPort());
        } catch (IllegalArgumentException e) {
            refused(Refusal.HANDSHAKE);
            reject(ctx, Socks5CommandStatus.FAILURE, e.getMessage());
            return;
        }
        if (!allowed(target)) {
            refused(Refusal.ALLOW_LIST);
            reject(ctx, Socks5CommandStatus.FORBIDDEN, target + " is not an allowed target");
        } else {
            connectAllowed(ctx, target);
        }
    }

    private void reject(ChannelHandlerContext ctx, Socks5CommandStatus status, String reason) {
        logger.debug("{}: {} ({})", ctx.channel(), status, reason);
        replyAndClose(ctx, new DefaultSocks5CommandResponse(status, Socks5AddressType.IPv4));
    }

    /** An address type other than IPv4, DOMAIN and IPv6, which RFC 1928 answers with {@code 0x08}. */
    private static final class UnsupportedAddressTypeException extends DecoderException {
        private static final long serialVersionUID = 1L;

        UnsupportedAddressTypeException(Socks5AddressType type) {
            super("unsupported address type: " + (type.byteValue() & 0xFF));
        }
    }
}

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
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The {@code connect} front: an HTTP/1.1 {@code CONNECT host:port} proxy. Sits behind an {@link HttpConnectDecoder}.
 *
 * <p>A request for a target in {@code --allow} is connected and answered with
 * {@code 200 Connection established}, and the relay takes over. Every other outcome is answered with a status and
 * the connection closed: {@code 400} for a malformed request, {@code 405} for any method but {@code CONNECT},
 * {@code 403} for a target not in {@code --allow}, {@code 431} for a head over
 * {@value HttpConnectDecoder#MAX_HEAD_BYTES} bytes, {@code 408} when no request came within
 * {@code --handshake-timeout}, {@code 502} for a target that refused or did not resolve, {@code 504} for one that did
 * not answer within {@code --connect-timeout}, {@code 503} for one that is down (see {@link Target}).
 */
final class HttpConnectFrontHandler extends RequestFrontHandler {
    private static final Logger logger = LoggerFactory.getLogger(HttpConnectFrontHandler.class);
    private static final byte[] ESTABLISHED =
            "HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    HttpConnectFrontHandler(TargetConnector connector, Duration handshakeTimeout, TargetGroup allowed) {
        super(connector, handshakeTimeout, allowed);
    }

    @Override
    protected Front kind() {
        return Front.CONNECT;
    }

    @Override
    protected void requestReceived(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HttpConnectRequest)) {
            super.requestReceived(ctx, msg);
            return;
        }
        HttpConnectRequest request = (HttpConnectRequest) msg;
        if (request.error() != null) {
            refused(Refusal.HANDSHAKE);
            reject(ctx, request.error(), request.reason());
        } else if (!allowed(request.target())) {
            refused(Refusal.ALLOW_LIST);
            reject(ctx, HttpResponseStatus.FORBIDDEN, request.target() + " is not an allowed target");
        } else {
            connectAllowed(ctx, request.target());
        }
    }

    @Override
    protected void connected(ChannelHandlerContext ctx, Channel target) {
        ctx.writeAndFlush(Unpooled.wrappedBuffer(ESTABLISHED));
    }

    @Override
    protected void connectFailed(ChannelHandlerContext ctx, ProxyAddress target, ConnectFailure failure) {
        if (failure == ConnectFailure.TIMEOUT) {
            reject(ctx, HttpResponseStatus.GATEWAY_TIMEOUT, target + " did not answer in time");
        } else {
            reject(ctx, HttpResponseStatus.BAD_GATEWAY, "cannot connect to " + target + ": " + failure);
        }
    }

    @Override
    protected void noTargetUp(ChannelHandlerContext ctx) {
        reject(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, "the target is down");
    }

    @Override
    protected void handshakeTimedOut(ChannelHandlerContext ctx) {
        reject(ctx, HttpResponseStatus.REQUEST_TIMEOUT, "no complete request in time");
    }

    private void reject(ChannelHandlerContext ctx, HttpResponseStatus status, String reason) {
        logger.debug("{}: {} ({})", ctx.channel(), status, reason);
        String body = status + ": " + reason + "\n";
        String head = "HTTP/1.1 " + status + "\r\n"
                + "Content-Type: text/plain; charset=us-ascii\r\n"
                + "Content-Length: " + body.length() + "\r\n"
                + (status.equals(HttpResponseStatus.METHOD_NOT_ALLOWED) ? "Allow: CONNECT\r\n" : "")
                + "Connection: close\r\n\r\n";
        ByteBuf response = Unpooled.copiedBuffer(head + body, StandardCharsets.US_ASCII);
        replyAndClose(ctx, response);
    }
}

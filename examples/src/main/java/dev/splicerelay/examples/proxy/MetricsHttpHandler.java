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
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.CharsetUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers HTTP requests on {@code --metrics-listen}: {@code GET /metrics} (or {@code HEAD}) with every metric in the
 * Prometheus text format, any other path with {@code 404}, another method on {@code /metrics} with {@code 405} and a
 * request the codec could not decode with {@code 400}, after which the connection closes. Sits behind Netty's
 * {@code HttpServerCodec} and {@code HttpServerKeepAliveHandler}; request bodies are ignored (and released by the
 * superclass).
 *
 * <p>Runs on the metrics server's event loop, which no relay uses, so a scrape (a few milliseconds of formatting)
 * never delays a relay. Reference counting: each response's buffer is written to the channel, which owns it.
 */
@ChannelHandler.Sharable
final class MetricsHttpHandler extends SimpleChannelInboundHandler<HttpObject> {
    /** The content type of the Prometheus text format that {@link ProxyMetrics#scrape} writes. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    static final String PATH = "/metrics";

    private static final Logger logger = LoggerFactory.getLogger(MetricsHttpHandler.class);

    private final ProxyMetrics metrics;

    MetricsHttpHandler(ProxyMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) throws Exception {
        if (!(msg instanceof HttpRequest request)) {
            return;
        }
        if (request.decoderResult().isFailure()) {
            respond(ctx, request, text(HttpResponseStatus.BAD_REQUEST), false);
            return;
        }
        if (!new QueryStringDecoder(request.uri()).path().equals(PATH)) {
            respond(ctx, request, text(HttpResponseStatus.NOT_FOUND), true);
            return;
        }
        boolean head = request.method().equals(HttpMethod.HEAD);
        if (!head && !request.method().equals(HttpMethod.GET)) {
            FullHttpResponse response = text(HttpResponseStatus.METHOD_NOT_ALLOWED);
            response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            respond(ctx, request, response, true);
            return;
        }
        ByteBuf body = ctx.alloc().buffer();
        try (ByteBufOutputStream out = new ByteBufOutputStream(body)) {
            metrics.scrape(out);
        } catch (RuntimeException e) {
            body.release();
            logger.warn("scraping the metrics failed", e);
            respond(ctx, request, text(HttpResponseStatus.INTERNAL_SERVER_ERROR), false);
            return;
        }
        FullHttpResponse response = new DefaultFullHttpResponse(request.protocolVersion(), HttpResponseStatus.OK,
                head ? Unpooled.EMPTY_BUFFER : body);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, CONTENT_TYPE)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        if (head) {
            body.release();
        }
        respond(ctx, request, response, true);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        logger.debug("{}: closing after {}", ctx.channel(), cause.toString());
        ctx.close();
    }

    private static FullHttpResponse text(HttpResponseStatus status) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                status, Unpooled.copiedBuffer(status + "\n", CharsetUtil.US_ASCII));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=us-ascii")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        return response;
    }

    /** Writes {@code response}; keeps the connection if the client asked to and {@code keepAlive} allows. */
    private static void respond(ChannelHandlerContext ctx, HttpRequest request, FullHttpResponse response,
                                boolean keepAlive) {
        boolean keep = keepAlive && HttpUtil.isKeepAlive(request);
        HttpUtil.setKeepAlive(response, keep);
        if (keep) {
            ctx.writeAndFlush(response);
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }
}

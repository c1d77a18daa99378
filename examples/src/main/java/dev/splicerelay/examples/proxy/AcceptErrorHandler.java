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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * Keeps a server channel serving through failed accepts, "Too many open files" (EMFILE) above all.
 *
 * <p>A failed accept leaves the pending connection in the backlog, so the listening socket stays readable and
 * accepting again at once would fail again in a busy loop. Instead accepting pauses for {@value #PAUSE_MILLIS} ms
 * (reads off on the server channel), in which relays end and free descriptors, and then resumes; the clients wait in
 * the backlog meanwhile. Netty's {@code ServerBootstrap} would pause for a second, but only for errors that reach it,
 * and this handler, in front of it, handles them first so that the log says what happened: at most one warning per
 * {@value #WARN_EVERY_SECONDS} s, with the count of failures since the previous one.
 *
 * <p>One instance per server channel; runs on its event loop.
 */
final class AcceptErrorHandler extends ChannelInboundHandlerAdapter {
    static final long PAUSE_MILLIS = 250;
    static final long WARN_EVERY_SECONDS = 10;

    private static final Logger logger = LoggerFactory.getLogger(AcceptErrorHandler.class);

    private long lastWarningNanos = System.nanoTime() - TimeUnit.SECONDS.toNanos(WARN_EVERY_SECONDS);
    private long failuresSinceWarning;

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        long now = System.nanoTime();
        if (now - lastWarningNanos >= TimeUnit.SECONDS.toNanos(WARN_EVERY_SECONDS)) {
            logger.warn("{}: accept failed ({}){}; pausing accepts for {} ms after each failure", ctx.channel(),
                    cause.getMessage(),
                    failuresSinceWarning == 0 ? "" : ", " + failuresSinceWarning + " more times since the last warning",
                    PAUSE_MILLIS);
            lastWarningNanos = now;
            failuresSinceWarning = 0;
        } else {
            failuresSinceWarning++;
        }
        if (ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(false);
            ctx.executor().schedule(() -> {
                ctx.channel().config().setAutoRead(true);
            }, PAUSE_MILLIS, TimeUnit.MILLISECONDS);
        }
    }
}

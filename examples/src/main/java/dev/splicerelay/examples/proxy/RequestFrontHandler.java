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

import java.time.Duration;

/**
 * A front whose client names its target in a request (HTTP CONNECT, SOCKS5): it reads the request, and only targets
 * in {@code --allow} may be connected, so that the proxy is never an open relay. The allowed targets are a
 * {@link TargetGroup}, so they have a health too: a target that is down is not tried, and the front answers
 * {@link #noTargetUp} at once.
 */
abstract class RequestFrontHandler extends AbstractFrontHandler {
    private final TargetGroup allowed;

    RequestFrontHandler(TargetConnector connector, Duration handshakeTimeout, TargetGroup allowed) {
        super(connector, handshakeTimeout);
        this.allowed = allowed;
    }

    @Override
    protected final void start(ChannelHandlerContext ctx) {
        ctx.read();
    }

    /** Whether {@code --allow} lets the client reach {@code target}. */
    protected final boolean allowed(HostPort target) {
        return allowed.find(target) != null;
    }

    /** Connects to {@code target}, which {@link #allowed} allows, if it is up. */
    protected final void connectAllowed(ChannelHandlerContext ctx, HostPort target) {
        connect(ctx, allowed, TargetChoice.only(allowed.find(target)));
    }
}

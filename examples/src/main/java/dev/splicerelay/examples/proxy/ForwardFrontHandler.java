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
 * The {@code forward} front: the client has nothing to say about where it goes, so every accepted connection is
 * connected at once to one of the {@code --target}s (TCP or Unix domain sockets), chosen by {@code --balance}, and
 * relayed. When a target's connect fails the next one that is up is tried; when none is left, or none was up, the
 * client is closed: there is no protocol in which to tell it why, so the reason goes to the log.
 */
final class ForwardFrontHandler extends AbstractFrontHandler {
    private final TargetGroup targets;

    ForwardFrontHandler(TargetConnector connector, TargetGroup targets) {
        super(connector, Duration.ZERO);
        this.targets = targets;
    }

    @Override
    protected Front kind() {
        return Front.FORWARD;
    }

    @Override
    protected void start(ChannelHandlerContext ctx) {
        connect(ctx, targets, targets.choice());
    }

    @Override
    protected void connectFailed(ChannelHandlerContext ctx, ProxyAddress target, ConnectFailure failure) {
        ctx.close();
    }
}

package dev.splicerelay.examples.proxy;

import io.netty.channel.ChannelHandlerContext;

import java.time.Duration;

/**
 * A front whose client names its target in a request (HTTP CONNECT, SOCKS5): it reads the request, and only targets
 * in {@code --allow} may be connected, so that the proxy is never an open relay.
 */
abstract class RequestFrontHandler extends AbstractFrontHandler {
    private final TargetAllowList allowList;

    RequestFrontHandler(TargetConnector connector, Duration handshakeTimeout, TargetAllowList allowList) {
        super(connector, handshakeTimeout);
        this.allowList = allowList;
    }

    @Override
    protected final void start(ChannelHandlerContext ctx) {
        ctx.read();
    }

    /** Whether {@code --allow} lets the client reach {@code target}. */
    protected final boolean allowed(HostPort target) {
        return allowList.allows(target);
    }
}

package dev.splicerelay.examples.proxy;

import io.netty.channel.ChannelHandlerContext;

import java.time.Duration;

/**
 * The {@code forward} front: the client has nothing to say about where it goes, so every accepted connection is
 * connected to {@code --target} (TCP or a Unix domain socket) at once and relayed. A failed connect closes the
 * client; there is no protocol in which to tell it why, so the reason goes to the log.
 */
final class ForwardFrontHandler extends AbstractFrontHandler {
    private final ProxyAddress target;

    ForwardFrontHandler(TargetConnector connector, ProxyAddress target) {
        super(connector, Duration.ZERO);
        this.target = target;
    }

    @Override
    protected Front kind() {
        return Front.FORWARD;
    }

    @Override
    protected void start(ChannelHandlerContext ctx) {
        connect(ctx, target);
    }

    @Override
    protected void connectFailed(ChannelHandlerContext ctx, ProxyAddress target, ConnectFailure failure) {
        ctx.close();
    }
}

package dev.splicerelay;

import io.netty.channel.Channel;
import io.netty.channel.DefaultChannelPromise;
import io.netty.channel.EventLoop;

/**
 * The connect {@link RelayBootstrap#connect} returns: its channel is registered with {@link #loop()} only a task
 * later, so until then the loop comes from here and not from the channel.
 */
final class PendingConnect extends DefaultChannelPromise {
    private final EventLoop loop;

    PendingConnect(Channel channel, EventLoop loop) {
        super(channel, loop);
        this.loop = loop;
    }

    EventLoop loop() {
        return loop;
    }
}

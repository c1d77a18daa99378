package dev.splicerelay;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.epoll.AbstractEpollStreamChannel;

/**
 * Moves one direction with Netty's kernel splice (see {@link NettySplice}): the bytes go from the source socket into
 * a pipe owned by the sink and from there to the sink socket, never entering the JVM. Netty's splice owns the
 * source's {@code AUTO_READ} while it runs; that is its backpressure, bounded by the 64 KiB pipe.
 *
 * <p>End of stream needs care, because Netty's splice cannot tell EOF from "no data yet" and announces the input
 * shutdown (at {@code EPOLLRDHUP}) while up to a receive buffer of bytes still waits in the socket. After the
 * announcement every read cycle of the source is checked: a cycle that spliced nothing while the sink's outbound
 * buffer (and so the pipe) is empty proves the socket is drained, since after the FIN every remaining byte is
 * already queued. Then reading stops (a drained socket at EOF is always readable: reading on would spin) and the
 * sink's output is shut down. A cycle that spliced nothing while the pipe is still full stops reading until the
 * pending splice-out re-enables it, so a slow sink never makes the source spin either.
 */
final class SplicePump implements Pump {
    private final Direction direction;
    private boolean draining;
    private long bytesAtLastReadComplete;

    SplicePump(Direction direction) {
        this.direction = direction;
    }

    @Override
    public void start() {
        AbstractEpollStreamChannel source = (AbstractEpollStreamChannel) direction.source();
        AbstractEpollStreamChannel sink = (AbstractEpollStreamChannel) direction.sink();
        bytesAtLastReadComplete = direction.bytes();
        NettySplice.countSplicedBytes(sink, direction::count);
        // Netty fails the splice inside the source's read loop, and after a splice that threw it reads the source
        // again at once; so the relay must not close the source from here.
        NettySplice.spliceForever(source, sink).addListener(f -> {
            if (!f.isSuccess()) {
                direction.failAfterReadLoop(f.cause());
            }
        });
        source.config().setAutoRead(true);
    }

    @Override
    public void readComplete() {
        long bytes = direction.bytes();
        boolean splicedNothing = bytes == bytesAtLastReadComplete;
        bytesAtLastReadComplete = bytes;
        if (!draining || !splicedNothing) {
            return;
        }
        direction.source().config().setAutoRead(false);
        if (sinkOutboundEmpty()) {
            draining = false;
            direction.finish();
        }
    }

    @Override
    public void inputShutdown() {
        draining = true;
    }

    @Override
    public void sinkWritabilityChanged() {
        // Splice moves bytes through the sink's unsafe and ignores writability: the pipe is the bound.
    }

    private boolean sinkOutboundEmpty() {
        Channel sink = direction.sink();
        ChannelOutboundBuffer buffer = sink.unsafe().outboundBuffer();
        return buffer == null || buffer.isEmpty();
    }
}

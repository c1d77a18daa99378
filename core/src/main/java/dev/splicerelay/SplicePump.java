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
package dev.splicerelay;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.epoll.AbstractEpollStreamChannel;

import java.io.IOException;

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
 *
 * <p>A cycle that spliced nothing into an empty pipe is answered with one ordinary read of the source
 * ({@link PlainRead}): that is how the relay gets past TCP's urgent mark, where splice stops for good, and how it
 * tells the end of stream from such a mark after the input shutdown.
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
        boolean splicedNothing = direction.bytes() == bytesAtLastReadComplete;
        if (splicedNothing && sinkOutboundEmpty()) {
            // The sink's pipe is empty too, so the 0 came from the source: nothing now, its end, or an urgent mark.
            readPlainly();
        } else if (splicedNothing && draining) {
            // The pipe still holds bytes: the pending splice-out turns reading on again once they are out.
            direction.source().config().setAutoRead(false);
        }
        bytesAtLastReadComplete = direction.bytes();
    }

    /**
     * One {@link PlainRead} of the source's socket. Its bytes go to the sink through the pipeline, behind any
     * splice-out in its outbound buffer (there is none: it is empty), so the order holds; until they are written the
     * source does not read, or its next empty cycle could not be told from a full pipe. End of stream, or nothing
     * after the input shutdown, finishes the direction.
     */
    private void readPlainly() {
        AbstractEpollStreamChannel source = (AbstractEpollStreamChannel) direction.source();
        ByteBuf bytes = source.alloc().directBuffer(PlainRead.MAX_BYTES);
        int n;
        try {
            n = PlainRead.read(source.fd(), bytes);
        } catch (IOException e) {
            bytes.release();
            direction.failAfterReadLoop(e);
            return;
        }
        if (n > 0) {
            ChannelFuture written = direction.forwardNow(bytes);
            if (!written.isDone()) {
                source.config().setAutoRead(false);
            }
            written.addListener((ChannelFutureListener) f -> {
                if (!f.isSuccess()) {
                    direction.failAfterReadLoop(f.cause());
                } else if (!source.config().isAutoRead()) {
                    source.config().setAutoRead(true);
                }
            });
            return;
        }
        bytes.release();
        if (n == PlainRead.END_OF_STREAM || draining) {
            source.config().setAutoRead(false);
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

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

import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.AbstractEpollStreamChannel;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.unix.Socket;

import java.io.IOException;
import java.nio.channels.NotYetConnectedException;
import java.util.Locale;
import java.util.concurrent.RejectedExecutionException;

/** What a relay asks of and does to its channels, whatever the engine. Stateless. */
final class Channels {
    private Channels() {
    }

    /** Whether {@code channel}'s input is shut down; channels that cannot half-close never are. */
    static boolean isInputShutdown(Channel channel) {
        return channel instanceof DuplexChannel && ((DuplexChannel) channel).isInputShutdown();
    }

    /** Whether {@code cause}, or one of its causes, is a reset or a broken pipe. */
    static boolean isReset(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            String message = t.getMessage();
            if (t instanceof IOException && message != null) {
                String lower = message.toLowerCase(Locale.ROOT);
                if (lower.contains("reset") || lower.contains("broken pipe")) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Shuts {@code channel}'s output down (sends its FIN), on the channel's event loop, once the relay's last write to
     * it has been flushed. An epoll channel's socket is shut down directly: Netty's {@code shutdownOutput()} builds a
     * {@code ChannelOutputShutdownException}, stack trace included, on every call, to fail writes still queued, and a
     * relay has none queued here; under connection churn the stack traces show in a relay's CPU profile. The socket
     * records the shutdown, so the channel's {@code isOutputShutdown()} is true afterwards, as after Netty's; no
     * {@code ChannelOutputShutdownEvent} fires ({@code EpollShutdownOutputTest}).
     */
    static ChannelFuture shutdownOutput(Channel channel) {
        if (channel instanceof AbstractEpollStreamChannel) {
            try {
                ((Socket) ((AbstractEpollStreamChannel) channel).fd()).shutdown(false, true);
                return channel.newSucceededFuture();
            } catch (IOException | NotYetConnectedException e) {
                return channel.newFailedFuture(e);
            }
        }
        return ((DuplexChannel) channel).shutdownOutput();
    }

    /**
     * Closes {@code channel}, with a reset ({@code SO_LINGER} 0) if asked, on its own event loop: a peer on another
     * loop may be closing there at the same moment, and {@code SO_LINGER} is set by fd number, which its close frees
     * for anyone. A loop that has terminated has closed its channels already; what is left is done here.
     */
    static void close(Channel channel, boolean reset) {
        EventLoop own = channel.eventLoop();
        if (!own.inEventLoop()) {
            try {
                own.execute(() -> closeNow(channel, reset));
                return;
            } catch (RejectedExecutionException terminated) {
                // Nothing runs on that loop any more.
            }
        }
        closeNow(channel, reset);
    }

    private static void closeNow(Channel channel, boolean reset) {
        if (reset && channel.isActive()) {
            try {
                channel.config().setOption(ChannelOption.SO_LINGER, 0);
            } catch (ChannelException closedMeanwhile) {
                // Closed on another thread meanwhile (SO_LINGER above 0 makes Netty close there): nothing to reset.
            }
        }
        channel.close();
    }
}

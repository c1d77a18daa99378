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
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.netty.channel.unix.FileDescriptor;

import java.io.IOException;
import java.util.concurrent.RejectedExecutionException;

/**
 * One channel of a relay while {@link PipeSplicer} holds it: deregistered from Netty, its socket registered with the
 * event loop for the engine instead. When the relay ends, the relay closes it while it is still held
 * ({@link #letGo}); when a take-over has to start again, it is registered with Netty again ({@link #handBack}).
 * Either way {@code channelInactive}, close futures and the channel's handlers behave as if Netty had held it all
 * along.
 *
 * <p>Netty keeps registrations by fd number and hands a closed channel's number to the next socket or pipe anyone
 * opens; so the engine's registration is cancelled the moment the channel closes (the relay's close-future listener
 * runs inside {@code close()}), before any other code can open a descriptor, and the socket is only ever passed to
 * Netty as the channel's own {@link FileDescriptor}, whose {@code isOpen()} Netty checks before
 * {@code EPOLL_CTL_DEL}. Threading: the relay's event loop.
 */
final class HeldChannel {
    private final Channel channel;
    private final EventLoop loop;
    private boolean deregistered;
    private EpollIo.Registration registration;

    HeldChannel(Channel channel) {
        this.channel = channel;
        this.loop = channel.eventLoop();
    }

    Channel channel() {
        return channel;
    }

    FileDescriptor socket() {
        return EpollIo.socket(channel);
    }

    /**
     * Deregisters the channel from Netty; the future completes a task later. If the channel closed meanwhile, Netty
     * ends its life itself and there is nothing to hand back.
     */
    ChannelFuture deregister() {
        return channel.deregister().addListener((ChannelFutureListener) f -> deregistered = f.isSuccess()
                && channel.isOpen());
    }

    boolean isDeregistered() {
        return deregistered;
    }

    /** Registers the socket for {@code listener}, which gets nothing until {@link #interest}. */
    void register(EpollIo.Listener listener) throws IOException {
        registration = EpollIo.register(loop, socket(), listener);
    }

    /** Asks for {@code ops} on the socket, level-triggered; 0 for nothing. */
    void interest(int ops) throws IOException {
        registration.interest(ops);
    }

    /**
     * Cancels the engine's registration and gives the channel back to Netty, registered again, for a take-over that
     * starts again. A channel closed meanwhile only gets its closing events ({@link #letGo}). Idempotent.
     */
    void handBack() {
        cancelRegistration();
        if (!deregistered) {
            return;
        }
        deregistered = false;
        if (channel.isOpen()) {
            // A new registration: the relay's channels keep their fd in epoll on it too, until the relay closes them.
            loop.register(channel).addListener((ChannelFutureListener) f -> EpollEmptyInterestWorkaround.apply(channel));
        } else {
            fireClosingEvents();
        }
    }

    /**
     * Cancels the engine's registration for good: the relay ends and closes the channel next, while it is still
     * deregistered. Registering it with Netty first would cost an epoll {@code ADD} and, in Netty's close, a
     * {@code DEL} per socket, for a socket about to close. Netty fires neither {@code channelInactive} nor
     * {@code channelUnregistered} for a channel closed while deregistered, so both come from here, a task after the
     * close as Netty's would; the second also removes the pipeline's handlers ({@code handlerRemoved}), as Netty
     * does for a closed channel. Idempotent.
     */
    void letGo() {
        cancelRegistration();
        if (!deregistered) {
            return;
        }
        deregistered = false;
        channel.closeFuture().addListener(closed -> fireClosingEvents());
    }

    private void cancelRegistration() {
        if (registration != null) {
            registration.cancel();
            registration = null;
        }
    }

    private void fireClosingEvents() {
        try {
            loop.execute(() -> channel.pipeline().fireChannelInactive().fireChannelUnregistered());
        } catch (RejectedExecutionException terminated) {
            // The loop closed its channels on its way out and runs no handler any more, Netty's events included.
        }
    }
}

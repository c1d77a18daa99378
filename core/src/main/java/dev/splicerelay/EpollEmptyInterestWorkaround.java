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
import io.netty.channel.ChannelPromise;
import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.AbstractEpollStreamChannel;
import io.netty.channel.epoll.EpollIoOps;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Works around the epoll regression of Netty 4.2.13 and later (netty/netty#16689, with #16728) that cuts a relayed
 * stream once a side has half-closed: the one place the relay repairs Netty's epoll registrations.
 *
 * <p>What Netty does: when a channel's interest set becomes empty, {@code EpollIoHandler} removes its fd from epoll
 * ({@code EPOLL_CTL_DEL}) but still records it as added, so the next non-empty interest set is submitted with
 * {@code EPOLL_CTL_MOD}, which fails with ENOENT; Netty then fails the write and shuts the channel's output down. A
 * relayed channel asks for nothing as soon as it reads nothing and writes nothing: after its input reached end of
 * stream (Netty clears {@code EPOLLRDHUP} once seen, and {@code EPOLLIN} when reading stops), or after a stale
 * {@code EPOLLRDHUP} (see {@link RelayBootstrap#connect(Channel, java.net.SocketAddress)}). The bytes the other side
 * sends after that need {@code EPOLLOUT} as soon as a socket buffer is full: the response that follows a request's
 * FIN is cut after about 4 MiB.
 *
 * <p>What the relay does: it wraps each epoll channel's registration ({@link #apply}) so that an empty interest set
 * is submitted as {@code EPOLLET} alone. The fd stays in epoll, nothing is asked for, and {@code EPOLLHUP} and
 * {@code EPOLLERR}, which epoll always reports, are reported once (edge-triggered) instead of for ever, which was
 * Netty 4.2.12's behaviour and the reason for the change. The own splice engine does the same for the sockets it
 * waits on for nothing ({@link EpollIo#IDLE}). A channel whose interest set was already empty when the relay took it
 * over (its input ended before the relay was added) may already be out of epoll; it is registered again first.
 *
 * <p>Where: every epoll stream channel of a relay, on every Netty 4.2 release (harmless on 4.2.12, whose epoll kept
 * an fd with an empty interest set); Netty 4.1 registers channels differently and has no such bug. It reaches two
 * private fields of Netty's {@code AbstractEpollChannel}, its {@code registration} and its {@code ops}; if an upgrade
 * moves them, {@link #unavailableReason()} says so and the relay copies on epoll ({@code NettyInternalsTest}).
 * {@code EpollWriteAfterPeerFinTest} pins the bare Netty behaviour per version, so that an upgrade that fixes it
 * shows.
 *
 * <p>Threading: {@link #apply} runs on the channel's event loop.
 */
final class EpollEmptyInterestWorkaround {
    /** The first Netty release with the bug. */
    static final String FIRST_AFFECTED = "4.2.13";

    private static final boolean NETTY_4_2 = hasIoRegistration();
    private static final String UNAVAILABLE_REASON = NETTY_4_2 ? Guard.UNAVAILABLE_REASON : null;

    private EpollEmptyInterestWorkaround() {
    }

    /**
     * {@code null} if the workaround can run where it is needed: on Netty 4.2 with the internals it relies on, and
     * on Netty 4.1, which does not need it; otherwise why not, and relays must not rely on epoll channels' writes
     * after a half-close.
     */
    static String unavailableReason() {
        return UNAVAILABLE_REASON;
    }

    /** Whether the workaround runs with this Netty: on every 4.2 release, not on 4.1. */
    static boolean applies() {
        return NETTY_4_2;
    }

    private static boolean hasIoRegistration() {
        try {
            Class.forName("io.netty.channel.IoRegistration", false, Channel.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError netty41) {
            return false;
        }
    }

    /**
     * Keeps {@code channel}'s fd in epoll for as long as it is registered, whatever its interest set; the future
     * completes once that holds, and fails if the channel could not be registered again. Channels of other
     * transports, and every channel on Netty 4.1, are left alone. Idempotent; from any thread: the work is done on
     * the channel's event loop.
     */
    static ChannelFuture apply(Channel channel) {
        if (!(channel instanceof AbstractEpollStreamChannel) || !NETTY_4_2 || UNAVAILABLE_REASON != null
                || !channel.isRegistered()) {
            return channel.newSucceededFuture();
        }
        AbstractEpollStreamChannel epollChannel = (AbstractEpollStreamChannel) channel;
        if (channel.eventLoop().inEventLoop()) {
            return Guard.apply(epollChannel);
        }
        ChannelPromise applied = channel.newPromise();
        channel.eventLoop().execute(() -> Guard.apply(epollChannel).addListener(
                (ChannelFutureListener) f -> {
                    if (f.isSuccess()) {
                        applied.trySuccess();
                    } else {
                        applied.tryFailure(f.cause());
                    }
                }));
        return applied;
    }

    /**
     * The wrapper around a channel's registration, in a class of its own because its types exist only in Netty 4.2:
     * it is loaded only there.
     */
    private static final class Guard implements IoRegistration {
        static final String UNAVAILABLE_REASON;
        private static final VarHandle REGISTRATION;
        private static final VarHandle OPS;
        private static final EpollIoOps IDLE = EpollIoOps.EPOLLET;

        static {
            VarHandle registration = null;
            VarHandle ops = null;
            String reason = null;
            try {
                Class<?> epollChannel = AbstractEpollStreamChannel.class.getSuperclass();
                MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(epollChannel, MethodHandles.lookup());
                registration = lookup.findVarHandle(epollChannel, "registration", IoRegistration.class);
                ops = lookup.findVarHandle(epollChannel, "ops", EpollIoOps.class);
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                reason = "this Netty's epoll channels do not keep their registration and interest set where "
                        + "splice-relay's workaround for netty/netty#16689 expects them (" + e + ")";
            }
            REGISTRATION = registration;
            OPS = ops;
            UNAVAILABLE_REASON = reason;
        }

        private final IoRegistration delegate;

        private Guard(IoRegistration delegate) {
            this.delegate = delegate;
        }

        static ChannelFuture apply(AbstractEpollStreamChannel channel) {
            if (!channel.isRegistered()) {
                return channel.newSucceededFuture();
            }
            IoRegistration registration = (IoRegistration) REGISTRATION.get(channel);
            if (registration instanceof Guard) {
                return channel.newSucceededFuture();
            }
            if (((EpollIoOps) OPS.get(channel)).value() != 0) {
                REGISTRATION.set(channel, new Guard(registration));
                return channel.newSucceededFuture();
            }
            // The interest set is empty: on 4.2.13+ the fd is out of epoll already. A new registration adds it again.
            ChannelPromise guarded = channel.newPromise();
            channel.deregister().addListener((ChannelFutureListener) deregistered -> {
                if (!deregistered.isSuccess()) {
                    guarded.tryFailure(deregistered.cause());
                    return;
                }
                channel.eventLoop().register(channel).addListener((ChannelFutureListener) registered -> {
                    if (registered.isSuccess()) {
                        REGISTRATION.set(channel, new Guard((IoRegistration) REGISTRATION.get(channel)));
                        guarded.trySuccess();
                    } else {
                        guarded.tryFailure(registered.cause());
                    }
                });
            });
            return guarded;
        }

        @Override
        public <T> T attachment() {
            return delegate.attachment();
        }

        @Override
        public long submit(IoOps ops) {
            // Not EpollIoOps.NONE, which Netty 4.2.12 lacks.
            return delegate.submit(((EpollIoOps) ops).value() == 0 ? IDLE : ops);
        }

        @Override
        public boolean isValid() {
            return delegate.isValid();
        }

        @Override
        public boolean cancel() {
            return delegate.cancel();
        }

        @Override
        public String toString() {
            return "EpollEmptyInterestWorkaround(" + delegate + ')';
        }
    }
}

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
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.AbstractEpollStreamChannel;
import io.netty.channel.epoll.Native;
import io.netty.channel.unix.Errors;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;

import java.io.IOException;

/**
 * The one place the {@link SpliceEngine#IO_HANDLE} engine touches Netty: Netty 4.2's I/O registration API
 * ({@code IoEventLoop.register}, {@code EpollIoHandle}, {@code IoRegistration.submit}), the internal
 * {@link Native#splice} and the channels' own sockets. {@code EpollIoTest} fails loudly if an upgrade changes any
 * behaviour relied on here.
 *
 * <p>The registration API exists from Netty 4.2 on, so the code that uses it is in a class of its own,
 * {@link EpollIoRegistration}, which the JVM loads only when a relay runs the engine; on Netty 4.1 this class says
 * why it cannot ({@link #unavailableReason()}) and relays use Netty's {@code spliceTo}.
 *
 * <p>What the engine relies on, read in Netty 4.2.12's {@code EpollIoHandler}:
 * <ul>
 *   <li>registrations are kept by fd <em>number</em>; a channel's own registration must therefore be cancelled
 *   (the channel deregistered) before a handle for its socket is registered, or they replace each other;</li>
 *   <li>{@code cancel()} on the event loop removes the registration at once, issues {@code EPOLL_CTL_DEL} only if the
 *   handle's fd is still open (so {@link #register} must be given the channel's own socket object, never a new
 *   {@link FileDescriptor} for its number), and leaves alone a registration that already replaced it;</li>
 *   <li>an interest set of 0 must never be submitted: 4.2.12 keeps the fd in epoll with only {@code EPOLLHUP} and
 *   {@code EPOLLERR}, reported level-triggered for ever once they hold, and 4.2.13+ remove the fd without noting it,
 *   so that the next submit fails with ENOENT. {@link #IDLE} ({@code EPOLLET} alone) is the interest set of a socket
 *   that is waited on for nothing: those two conditions are then reported once, edge-triggered;</li>
 *   <li>an exception thrown out of {@code IoHandle.handle} makes the event loop sleep for a second, so the handle
 *   never throws;</li>
 *   <li>{@link #splice} returns 0 both for EAGAIN and for end of stream, and reports a reset or a broken pipe as an
 *   {@link IOException} whose message says so.</li>
 * </ul>
 *
 * <p>Threading: {@link #register} and every method of a {@link Registration} run on the event loop.
 */
final class EpollIo {
    static final int IN = Native.EPOLLIN;
    static final int OUT = Native.EPOLLOUT;
    static final int RDHUP = Native.EPOLLRDHUP;
    static final int ERR = Native.EPOLLERR;
    /** Linux's {@code EPOLLHUP}, for which Netty has no constant. */
    static final int HUP = 0x10;
    /** Edge-triggered: each change of the socket's readiness is reported once, not for as long as it holds. */
    static final int EDGE = Native.EPOLLET;
    /** The interest set of a socket waited on for nothing; see the class comment. */
    static final int IDLE = EDGE;

    private static final String UNAVAILABLE_REASON = registrationApiMissing();

    private EpollIo() {
    }

    /** Why this Netty cannot run the engine at all, or {@code null} if it can. */
    static String unavailableReason() {
        return UNAVAILABLE_REASON;
    }

    /** What keeps the engine from taking over epoll stream channels of {@code loop}, or {@code null}. */
    static String obstacle(EventLoop loop) {
        if (UNAVAILABLE_REASON != null) {
            return UNAVAILABLE_REASON;
        }
        return EpollIoRegistration.canRegister(loop) ? null
                : "the event loop " + loop.getClass().getSimpleName() + " cannot register an EpollIoHandle";
    }

    private static String registrationApiMissing() {
        try {
            Class.forName("io.netty.channel.epoll.EpollIoHandle", false, Channel.class.getClassLoader());
            return null;
        } catch (ClassNotFoundException | LinkageError e) {
            return "this Netty has no epoll I/O registration API (Netty 4.2's IoEventLoop.register, EpollIoHandle)";
        }
    }

    /** The channel's own socket: the object whose {@code isOpen()} Netty's {@code cancel()} asks. */
    static FileDescriptor socket(Channel channel) {
        return ((AbstractEpollStreamChannel) channel).fd();
    }

    /**
     * What a registered socket reports to the engine; never called after its registration was cancelled.
     *
     * <p>{@link #loopClosing()} comes from Netty's {@code prepareToDestroy}, which Netty 4.2.12 skips when a
     * shutdown with a quiet period of 0 is requested while the loop runs tasks rather than waits in
     * {@code epoll_wait}; Netty's own channels then stay open too. {@link PipePool} closes the pipes anyway.
     */
    interface Listener {
        /** The socket is ready: {@code ops} is a mask of {@link #IN}, {@link #OUT}, {@link #RDHUP}, ... */
        void ready(int ops);

        /** The event loop is shutting down and has already cancelled the registration. */
        void loopClosing();
    }

    /**
     * Registers {@code socket} with {@code loop} for {@code listener}; nothing is asked for until
     * {@link Registration#interest}. Must run on {@code loop}, where Netty registers at once, and only where
     * {@link #obstacle} found none.
     */
    static Registration register(EventLoop loop, FileDescriptor socket, Listener listener) throws IOException {
        return EpollIoRegistration.register(loop, socket, listener);
    }

    /** One socket's registration with the event loop. */
    interface Registration {
        /**
         * Asks for {@code ops}, level-triggered unless they include {@link #EDGE}; 0 means nothing and is submitted
         * as {@link #IDLE}. Each change is one {@code epoll_ctl}; asking for the same again costs nothing.
         */
        void interest(int ops) throws IOException;

        /** Cancels the registration; the socket gets no more events. Idempotent. */
        void cancel();
    }

    /**
     * Splices up to {@code len} bytes from {@code from} to {@code to}, without blocking.
     *
     * @return the bytes moved; 0 if {@code from} has nothing now, {@code to} has no room, or {@code from} is at end
     *         of stream (Netty reports EAGAIN as 0)
     */
    static int splice(FileDescriptor from, FileDescriptor to, int len) throws IOException {
        return Native.splice(from.intValue(), -1, to.intValue(), -1, len);
    }

    /** Closes {@code fd}; close(2) releases the number even when it reports an error, so there is nothing to do then. */
    static void closeQuietly(FileDescriptor fd) {
        try {
            fd.close();
        } catch (IOException ignored) {
            // Released all the same.
        }
    }

    /**
     * The error pending on {@code socket} (a reset, for one), taken from it, or {@code null}. For sockets whose
     * {@link #ERR} arrives while the engine reads and writes nothing on them.
     */
    static IOException takeError(FileDescriptor socket) throws IOException {
        int err = ((Socket) socket).getSoError();
        return err == 0 ? null : Errors.newIOException("getsockopt(SO_ERROR)", -err);
    }

    /** A new non-blocking pipe: read end, then write end. */
    static FileDescriptor[] pipe() throws IOException {
        return FileDescriptor.pipe();
    }
}

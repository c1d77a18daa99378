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

import io.netty.channel.EventLoop;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoEvent;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import io.netty.util.concurrent.Future;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

import java.io.IOException;

/**
 * The own engine's registrations on Netty 4.2's I/O registration API ({@code IoEventLoop.register},
 * {@code EpollIoHandle}, {@code IoRegistration.submit}): the only class with those types, which Netty 4.1 lacks, so
 * it is loaded only when a relay runs the engine ({@link EpollIo#register}). See {@link EpollIo} for what the engine
 * relies on. Threading: the event loop of the registration.
 */
final class EpollIoRegistration implements EpollIo.Registration {
    private static final InternalLogger LOGGER = InternalLoggerFactory.getInstance(EpollIoRegistration.class);

    private final IoRegistration registration;
    private int interest = -1;

    private EpollIoRegistration(IoRegistration registration) {
        this.registration = registration;
    }

    static boolean canRegister(EventLoop loop) {
        return loop instanceof IoEventLoop && ((IoEventLoop) loop).isCompatible(Handle.class);
    }

    static EpollIo.Registration register(EventLoop loop, FileDescriptor socket, EpollIo.Listener listener)
            throws IOException {
        Future<IoRegistration> registered = ((IoEventLoop) loop).register(new Handle(socket, listener));
        if (!registered.isSuccess()) {
            throw new IOException("cannot register fd " + socket.intValue() + " with " + loop, registered.cause());
        }
        return new EpollIoRegistration(registered.getNow());
    }

    @Override
    public void interest(int ops) throws IOException {
        int wanted = ops == 0 ? EpollIo.IDLE : ops;
        if (wanted != interest) {
            registration.submit(EpollIoOps.valueOf(wanted));
            interest = wanted;
        }
    }

    @Override
    public void cancel() {
        registration.cancel();
    }

    /** The socket's handle: it never throws, as Netty would stall the event loop for a second. */
    private static final class Handle implements EpollIoHandle {
        private final FileDescriptor socket;
        private final EpollIo.Listener listener;

        Handle(FileDescriptor socket, EpollIo.Listener listener) {
            this.socket = socket;
            this.listener = listener;
        }

        @Override
        public FileDescriptor fd() {
            return socket;
        }

        @Override
        public void handle(IoRegistration registration, IoEvent event) {
            try {
                listener.ready(((EpollIoEvent) event).ops().value());
            } catch (Throwable e) {
                LOGGER.warn("Unexpected exception in the splice engine's handle for fd {}", socket.intValue(), e);
            }
        }

        @Override
        public void close() {
            try {
                listener.loopClosing();
            } catch (Throwable e) {
                LOGGER.warn("Unexpected exception in the splice engine's handle for fd {}", socket.intValue(), e);
            }
        }

        @Override
        public String toString() {
            return "splice-relay handle for fd " + socket.intValue();
        }
    }
}

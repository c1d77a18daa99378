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
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;

/**
 * Netty's io_uring transport for the tests, reached through reflection: the core suite also compiles and runs against
 * Netty 4.1, which has neither the io_uring transport nor {@code MultiThreadIoEventLoopGroup}; there
 * {@link #unavailableReason()} says so and the io_uring cases are skipped.
 */
final class IoUringTransport {
    private static final String PACKAGE = "io.netty.channel.uring.";
    private static final String UNAVAILABLE_REASON = findUnavailableReason();

    private IoUringTransport() {
    }

    /** Why io_uring channels cannot be used here, or {@code null} if they can. */
    static String unavailableReason() {
        return UNAVAILABLE_REASON;
    }

    static EventLoopGroup newGroup(int threads) {
        try {
            Object factory = Class.forName(PACKAGE + "IoUringIoHandler").getMethod("newFactory").invoke(null);
            Class<?> factoryType = Class.forName("io.netty.channel.IoHandlerFactory");
            return (EventLoopGroup) Class.forName("io.netty.channel.MultiThreadIoEventLoopGroup")
                    .getConstructor(int.class, factoryType).newInstance(threads, factory);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create an io_uring event loop group", e);
        }
    }

    static Class<? extends ServerChannel> serverChannelClass() {
        return channelClass("IoUringServerSocketChannel").asSubclass(ServerChannel.class);
    }

    static Class<? extends Channel> socketChannelClass() {
        return channelClass("IoUringSocketChannel");
    }

    private static Class<? extends Channel> channelClass(String simpleName) {
        try {
            return Class.forName(PACKAGE + simpleName).asSubclass(Channel.class);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(unavailableReason(), e);
        }
    }

    private static String findUnavailableReason() {
        Class<?> ioUring;
        try {
            ioUring = Class.forName(PACKAGE + "IoUring");
        } catch (ClassNotFoundException e) {
            return "no io_uring transport on the class path (Netty 4.1 has none; 4.2 needs "
                    + "netty-transport-classes-io_uring)";
        }
        try {
            if ((Boolean) ioUring.getMethod("isAvailable").invoke(null)) {
                return null;
            }
            return "io_uring unavailable: " + ioUring.getMethod("unavailabilityCause").invoke(null);
        } catch (ReflectiveOperationException e) {
            return "io_uring unavailable: " + e;
        }
    }
}

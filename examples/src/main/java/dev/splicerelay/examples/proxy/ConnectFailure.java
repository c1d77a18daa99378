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
package dev.splicerelay.examples.proxy;

import io.netty.channel.ConnectTimeoutException;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Why the proxy could not connect to a target, in the categories that the fronts' error replies tell apart.
 */
enum ConnectFailure {
    /** The target host answered with a reset: nothing listens on that port. */
    REFUSED("connection refused"),
    /** No route to the target host. */
    HOST_UNREACHABLE("host unreachable"),
    /** No route to the target's network. */
    NETWORK_UNREACHABLE("network unreachable"),
    /** The target's name did not resolve. */
    UNRESOLVED("name did not resolve"),
    /** {@code --connect-timeout} passed without an answer. */
    TIMEOUT("connect timed out"),
    /** Anything else, for example no file descriptor left for the connection. */
    OTHER("connect failed");

    private final String description;

    ConnectFailure(String description) {
        this.description = description;
    }

    /** What went wrong, in words for a log: {@code "connection refused"}. */
    String description() {
        return description;
    }

    /**
     * Whether the failure says that the target cannot be reached, so that it counts against the target's health; an
     * {@link #OTHER} failure, such as the proxy's own lack of file descriptors, does not.
     */
    boolean blamesTarget() {
        return this != OTHER;
    }

    /** Classifies the cause of a failed connect; both NIO's and epoll's exceptions are {@link ConnectException}s. */
    static ConnectFailure of(Throwable cause) {
        if (cause instanceof ConnectTimeoutException) {
            return TIMEOUT;
        }
        if (cause instanceof UnknownHostException) {
            return UNRESOLVED;
        }
        if (cause instanceof NoRouteToHostException) {
            return HOST_UNREACHABLE;
        }
        String message = cause instanceof ConnectException && cause.getMessage() != null
                ? cause.getMessage().toLowerCase(Locale.ROOT) : "";
        if (message.contains("refused")) {
            return REFUSED;
        }
        if (message.contains("no route to host")) {
            return HOST_UNREACHABLE;
        }
        if (message.contains("network is unreachable")) {
            return NETWORK_UNREACHABLE;
        }
        return message.contains("timed out") ? TIMEOUT : OTHER;
    }
}

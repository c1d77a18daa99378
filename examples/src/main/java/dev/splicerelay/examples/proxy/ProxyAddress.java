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

import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.NetUtil;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * An address as written on the command line: a TCP {@link HostPort} or, with the {@value UnixPath#PREFIX} prefix, a
 * Unix domain socket {@link UnixPath}. {@link #parse} is the one place that tells them apart.
 */
sealed interface ProxyAddress permits HostPort, UnixPath {
    /**
     * Parses {@code unix:PATH}, {@code host:port} or {@code [ipv6]:port}.
     *
     * @throws IllegalArgumentException with a message fit for a user if {@code text} is none of them
     */
    static ProxyAddress parse(String text) {
        return text.startsWith(UnixPath.PREFIX) ? UnixPath.parse(text) : HostPort.parse(text);
    }

    /**
     * A socket address as this type writes it: {@code host:port} for TCP, {@code unix:PATH} for a Unix domain socket
     * (and {@code unix:} alone for an unnamed one, as clients' sockets usually are).
     */
    static String toString(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            return NetUtil.toSocketAddressString(inet);
        }
        if (address instanceof DomainSocketAddress unix) {
            return UnixPath.PREFIX + unix.path();
        }
        return String.valueOf(address);
    }

    /** The address to connect to (for a host name, an unresolved one, which the connecting bootstrap resolves). */
    SocketAddress toSocketAddress();
}

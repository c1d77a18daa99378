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

import io.netty.util.NetUtil;

import java.net.InetSocketAddress;
import java.util.Locale;

/**
 * A TCP address, a host and a port, as written on the command line, in an HTTP {@code CONNECT} line or in a SOCKS5 request:
 * {@code host:port} or {@code [ipv6]:port}.
 *
 * <p>The host is kept in one canonical form, so that equal targets compare equal: IP literals as
 * {@link NetUtil#toAddressString} prints them (RFC 5952 for IPv6), names in lower case without a trailing dot.
 * Names are checked against the characters DNS names use, so nothing else read from a client reaches a resolver.
 *
 * @param host an IP literal (without brackets) or a host name
 * @param port 0 to 65535; 0 only makes sense for a listen address
 */
record HostPort(String host, int port) implements ProxyAddress {
    private static final int MAX_NAME_LENGTH = 253;

    HostPort {
        host = canonicalHost(host);
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range (0-65535): " + port);
        }
    }

    /**
     * Parses {@code host:port} or {@code [ipv6]:port}.
     *
     * @throws IllegalArgumentException with a message fit for a user if {@code text} is not one
     */
    static HostPort parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("expected HOST:PORT, got '" + text + "'");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0) {
            throw new IllegalArgumentException("write IPv6 addresses in brackets, as [::1]:80, got '" + text + "'");
        }
        return new HostPort(host, parsePort(text.substring(colon + 1)));
    }

    static int parsePort(String text) {
        if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("not a port number: '" + text + "'");
        }
        return Integer.parseInt(text);
    }

    boolean isIpLiteral() {
        return NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host);
    }

    /**
     * The address to connect to: resolved at once for an IP literal, unresolved for a name, which the connecting
     * {@link io.netty.bootstrap.Bootstrap} resolves.
     */
    @Override
    public InetSocketAddress toSocketAddress() {
        return isIpLiteral()
                ? new InetSocketAddress(NetUtil.createInetAddressFromIpAddressString(host), port)
                : InetSocketAddress.createUnresolved(host, port);
    }

    @Override
    public String toString() {
        return (NetUtil.isValidIpV6Address(host) ? "[" + host + "]" : host) + ':' + port;
    }

    private static String canonicalHost(String host) {
        if (NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host)) {
            return NetUtil.toAddressString(NetUtil.createInetAddressFromIpAddressString(host));
        }
        String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        if (name.isEmpty() || name.length() > MAX_NAME_LENGTH || !name.chars().allMatch(HostPort::isNameChar)) {
            throw new IllegalArgumentException("not a host name or IP address: '" + host + "'");
        }
        return name.toLowerCase(Locale.ROOT);
    }

    private static boolean isNameChar(int c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.'
                || c == '_';
    }
}

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

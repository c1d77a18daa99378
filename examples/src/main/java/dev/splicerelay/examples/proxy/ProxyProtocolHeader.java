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

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.CharsetUtil;
import io.netty.util.NetUtil;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * The PROXY protocol header ({@code --send-proxy}) that tells a target where its client comes from, as HAProxy's
 * specification defines it, encoded by Netty's {@link HAProxyMessageEncoder}: {@code TCP4} when both addresses are
 * IPv4, {@code TCP6} when either is IPv6 (an IPv4 one then written IPv4-mapped), and in version 2 {@code UNIX} for a
 * client on a Unix domain socket. Addresses of no family the version can carry (a Unix client in version 1) give
 * {@code UNKNOWN}, after which a target uses the connection's own addresses; Netty's encoder writes no version 1
 * {@code UNKNOWN} line, so that one is written here.
 *
 * <p>Stateless; any thread.
 */
final class ProxyProtocolHeader {
    private static final byte[] V1_UNKNOWN = "PROXY UNKNOWN\r\n".getBytes(CharsetUtil.US_ASCII);

    private ProxyProtocolHeader() {
    }

    /**
     * The header for a client at {@code source} that connected to {@code destination}; the caller owns the buffer.
     */
    static ByteBuf encode(HAProxyProtocolVersion version, SocketAddress source, SocketAddress destination) {
        HAProxyMessage message = message(version, source, destination);
        if (message == null) {
            return Unpooled.wrappedBuffer(V1_UNKNOWN);
        }
        // The encoder is a pipeline handler; an embedded channel is the pipeline that hands its output back.
        EmbeddedChannel encoder = new EmbeddedChannel(HAProxyMessageEncoder.INSTANCE);
        try {
            encoder.writeOutbound(message);
            return encoder.readOutbound();
        } finally {
            encoder.finishAndReleaseAll();
        }
    }

    /** The message to encode, or {@code null} for version 1's {@code UNKNOWN}. */
    private static HAProxyMessage message(HAProxyProtocolVersion version, SocketAddress source,
                                          SocketAddress destination) {
        if (source instanceof InetSocketAddress from && destination instanceof InetSocketAddress to
                && from.getAddress() != null && to.getAddress() != null) {
            boolean ipv4 = from.getAddress() instanceof Inet4Address && to.getAddress() instanceof Inet4Address;
            return new HAProxyMessage(version, HAProxyCommand.PROXY,
                    ipv4 ? HAProxyProxiedProtocol.TCP4 : HAProxyProxiedProtocol.TCP6,
                    ip(from.getAddress(), ipv4), ip(to.getAddress(), ipv4), from.getPort(), to.getPort());
        }
        if (version == HAProxyProtocolVersion.V1) {
            return null;
        }
        if (source instanceof DomainSocketAddress from && destination instanceof DomainSocketAddress to
                && fitsUnixAddress(from.path()) && fitsUnixAddress(to.path())) {
            return new HAProxyMessage(version, HAProxyCommand.PROXY, HAProxyProxiedProtocol.UNIX_STREAM,
                    from.path(), to.path(), 0, 0);
        }
        return new HAProxyMessage(version, HAProxyCommand.PROXY, HAProxyProxiedProtocol.UNKNOWN, null, null, 0, 0);
    }

    /** An address as the header writes it; in a {@code TCP6} header an IPv4 address becomes IPv4-mapped. */
    private static String ip(InetAddress address, boolean ipv4) {
        String text = NetUtil.toAddressString(address);
        return ipv4 || !(address instanceof Inet4Address) ? text : "::ffff:" + text;
    }

    /** Whether {@code path} fits the 108 bytes of a version 2 Unix address, in the ASCII that Netty writes it in. */
    private static boolean fitsUnixAddress(String path) {
        return path.length() <= 108 && CharsetUtil.US_ASCII.newEncoder().canEncode(path);
    }
}

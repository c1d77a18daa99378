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
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;

import static dev.splicerelay.examples.proxy.FuzzBytes.concat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link ProxyProtocolHeader}: the bytes HAProxy's specification defines for each address family and version,
 * written out here by hand from the specification, and what Netty's decoder reads back from them.
 */
@Timeout(10)
class ProxyProtocolHeaderTest {
    private static final InetSocketAddress CLIENT4 = new InetSocketAddress("192.0.2.10", 56324);
    private static final InetSocketAddress PROXY4 = new InetSocketAddress("198.51.100.1", 443);
    private static final InetSocketAddress CLIENT6 = new InetSocketAddress("2001:db8::10", 56324);
    private static final InetSocketAddress PROXY6 = new InetSocketAddress("2001:db8:0:0:0:0:0:1", 443);

    @Test
    void version1() {
        assertHeader("PROXY TCP4 192.0.2.10 198.51.100.1 56324 443\r\n".getBytes(StandardCharsets.US_ASCII),
                HAProxyProtocolVersion.V1, CLIENT4, PROXY4);
        assertHeader("PROXY TCP6 2001:db8::10 2001:db8::1 56324 443\r\n".getBytes(StandardCharsets.US_ASCII),
                HAProxyProtocolVersion.V1, CLIENT6, PROXY6);
        assertHeader("PROXY TCP6 ::ffff:192.0.2.10 2001:db8::1 56324 443\r\n".getBytes(StandardCharsets.US_ASCII),
                HAProxyProtocolVersion.V1, CLIENT4, PROXY6);
        assertHeader("PROXY UNKNOWN\r\n".getBytes(StandardCharsets.US_ASCII), HAProxyProtocolVersion.V1,
                new DomainSocketAddress(""), new DomainSocketAddress("/run/proxy.sock"));
    }

    @Test
    void version2() {
        assertHeader(concat(v2Start(0x11, 12), bytes(192, 0, 2, 10, 198, 51, 100, 1, 0xDC, 0x04, 0x01, 0xBB)),
                HAProxyProtocolVersion.V2, CLIENT4, PROXY4);
        byte[] client6 = bytes(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10);
        byte[] proxy6 = bytes(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01);
        assertHeader(concat(v2Start(0x21, 36), client6, proxy6, bytes(0xDC, 0x04, 0x01, 0xBB)),
                HAProxyProtocolVersion.V2, CLIENT6, PROXY6);
        byte[] source = new byte[108];
        byte[] destination = new byte[108];
        byte[] path = "/run/proxy.sock".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(path, 0, destination, 0, path.length);
        assertHeader(concat(v2Start(0x31, 216), source, destination), HAProxyProtocolVersion.V2,
                new DomainSocketAddress(""), new DomainSocketAddress("/run/proxy.sock"));
        assertHeader(v2Start(0x00, 0), HAProxyProtocolVersion.V2, new DomainSocketAddress(""), CLIENT4);
    }

    @Test
    void nettysDecoderReadsTheAddressesBack() {
        EmbeddedChannel decoder = new EmbeddedChannel(ProxyHeaderReader.newDecoder());
        decoder.writeInbound(ProxyProtocolHeader.encode(HAProxyProtocolVersion.V2, CLIENT6, PROXY6));
        HAProxyMessage message = decoder.readInbound();
        try {
            assertEquals(HAProxyProxiedProtocol.TCP6, message.proxiedProtocol());
            assertEquals("2001:db8:0:0:0:0:0:10", message.sourceAddress());
            assertEquals(56324, message.sourcePort());
            assertEquals(443, message.destinationPort());
        } finally {
            message.release();
            decoder.finishAndReleaseAll();
        }
    }

    private static void assertHeader(byte[] expected, HAProxyProtocolVersion version, SocketAddress source,
                                     SocketAddress destination) {
        ByteBuf header = ProxyProtocolHeader.encode(version, source, destination);
        try {
            assertArrayEquals(expected, ByteBufUtil.getBytes(header), () -> ByteBufUtil.hexDump(header));
        } finally {
            header.release();
        }
    }

    /** The 16 bytes that start every version 2 header: signature, version 2 and PROXY, family, address length. */
    static byte[] v2Start(int family, int addressLength) {
        return concat(bytes(0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A),
                bytes(0x21, family, addressLength >> 8, addressLength & 0xFF));
    }

    static byte[] bytes(int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return bytes;
    }
}

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
import io.netty.handler.codec.http.HttpResponseStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

@Timeout(10)
class HttpConnectDecoderTest {
    @Test
    void decodesAHeadThatArrivesInPiecesAndPassesLaterBytesOnUntouched() {
        EmbeddedChannel channel = new EmbeddedChannel(new HttpConnectDecoder());
        assertFalse(channel.writeInbound(ascii("\r\nCONNECT example.com:443 HTTP/1.1\r\nHost: exa")));
        channel.writeInbound(ascii("mple.com:443\r\n\r\n\u0016\u0003\u0001tls"));
        HttpConnectRequest request = channel.readInbound();
        assertEquals(HostPort.parse("example.com:443"), request.target());
        assertNull(request.error());
        assertTunnelBytes(channel, "\u0016\u0003\u0001tls");
        channel.writeInbound(ascii("GET / HTTP/1.1\r\n\r\n"));
        assertTunnelBytes(channel, "GET / HTTP/1.1\r\n\r\n");
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void acceptsBareLineFeeds() {
        assertEquals(HostPort.parse("[::1]:22"), decode("CONNECT [::1]:22 HTTP/1.0\nA: b\n\n").target());
    }

    @Test
    void answersEachKindOfBadRequestWithItsStatus() {
        assertEquals(HttpResponseStatus.METHOD_NOT_ALLOWED, decode("GET / HTTP/1.1\r\n\r\n").error());
        assertEquals(HttpResponseStatus.BAD_REQUEST, decode("garbage\r\n\r\n").error());
        assertEquals(HttpResponseStatus.BAD_REQUEST, decode("CONNECT  host:1 HTTP/1.1\r\n\r\n").error());
        assertEquals(HttpResponseStatus.BAD_REQUEST, decode("CONNECT host HTTP/1.1\r\n\r\n").error());
        assertEquals(HttpResponseStatus.BAD_REQUEST, decode("CONNECT host:0 HTTP/1.1\r\n\r\n").error());
        assertEquals(HttpResponseStatus.BAD_REQUEST, decode("CONNECT host:1 HTTP/2.0\r\n\r\n").error());
        assertEquals(HttpResponseStatus.BAD_REQUEST, decode("CONNECT host:1 HTTP/1.1\r\nno colon\r\n\r\n").error());
        assertEquals(HttpResponseStatus.BAD_REQUEST, decode("CONNECT h\u0000st:1 HTTP/1.1\r\n\r\n").error());
    }

    @Test
    void limitsTheHeadSize() {
        String big = "CONNECT host:1 HTTP/1.1\r\nX: " + "a".repeat(HttpConnectDecoder.MAX_HEAD_BYTES) + "\r\n\r\n";
        assertEquals(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, decode(big).error());
        String endless = "CONNECT host:1 HTTP/1.1\r\nX: " + "a".repeat(HttpConnectDecoder.MAX_HEAD_BYTES);
        assertEquals(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, decode(endless).error());
    }

    @Test
    void answersAHeadCutShortByTheEndOfTheStream() {
        EmbeddedChannel channel = new EmbeddedChannel(new HttpConnectDecoder());
        channel.writeInbound(ascii("CONNECT host:1 HTTP/1.1\r\n"));
        channel.finish();
        HttpConnectRequest request = channel.readInbound();
        assertEquals(HttpResponseStatus.BAD_REQUEST, request.error());
        assertFalse(channel.finishAndReleaseAll());
    }

    private static HttpConnectRequest decode(String head) {
        EmbeddedChannel channel = new EmbeddedChannel(new HttpConnectDecoder());
        channel.writeInbound(ascii(head));
        HttpConnectRequest request = channel.readInbound();
        channel.finishAndReleaseAll();
        return request;
    }

    private static void assertTunnelBytes(EmbeddedChannel channel, String expected) {
        ByteBuf buf = channel.readInbound();
        try {
            assertEquals(expected, buf.toString(StandardCharsets.ISO_8859_1));
        } finally {
            buf.release();
        }
    }

    private static ByteBuf ascii(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1);
    }
}

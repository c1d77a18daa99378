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
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Decodes the one request head an HTTP {@code CONNECT} proxy reads, into an {@link HttpConnectRequest}, and then
 * passes every later byte on untouched, as a {@link ByteBuf}: after a {@code CONNECT} the stream is the tunnel's, and a
 * client may send tunnel bytes right behind its request.
 *
 * <p>Netty's {@code HttpServerCodec} would go on decoding those bytes as the next HTTP request, so this decoder does
 * only what a tunnel needs: it finds the blank line that ends the head, in at most {@value #MAX_HEAD_BYTES} bytes
 * (beyond that the request is answered with {@code 431}), and leaves parsing to {@link HttpConnectRequest}. Empty
 * lines before the request line are skipped, as RFC 9112 allows.
 *
 * <p>Reference counting: the buffers it passes on are retained slices of its cumulation, owned by the receiver.
 */
final class HttpConnectDecoder extends ByteToMessageDecoder {
    static final int MAX_HEAD_BYTES = 8192;

    private boolean headDecoded;
    private int searched;

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (headDecoded) {
            out.add(in.readRetainedSlice(in.readableBytes()));
            return;
        }
        while (searched == 0 && in.isReadable() && isLineBreak(in.getByte(in.readerIndex()))) {
            in.skipBytes(1);
        }
        int headLength = headLength(in);
        if (headLength < 0 && in.readableBytes() < MAX_HEAD_BYTES) {
            return;
        }
        headDecoded = true;
        if (headLength < 0) {
            in.skipBytes(in.readableBytes());
            out.add(HttpConnectRequest.rejected(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
                    "the request head is over " + MAX_HEAD_BYTES + " bytes"));
            return;
        }
        out.add(HttpConnectRequest.parse(in.readCharSequence(headLength, StandardCharsets.ISO_8859_1).toString()));
        if (in.isReadable()) {
            out.add(in.readRetainedSlice(in.readableBytes()));
        }
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (in.isReadable()) {
            decode(ctx, in, out);
        }
        if (!headDecoded && in.isReadable()) {
            // The client ended its side in the middle of the head: the request can never be completed.
            headDecoded = true;
            in.skipBytes(in.readableBytes());
            out.add(HttpConnectRequest.rejected(HttpResponseStatus.BAD_REQUEST, "the request ended in its head"));
        }
    }

    /**
     * The length of the head up to and including its blank line, or -1 if the first {@value #MAX_HEAD_BYTES} bytes
     * hold no blank line yet. Resumes where the previous call stopped, so a head that trickles in is searched once.
     */
    private int headLength(ByteBuf in) {
        int start = in.readerIndex();
        int end = start + Math.min(in.readableBytes(), MAX_HEAD_BYTES);
        for (int i = start + searched; i < end; i++) {
            if (in.getByte(i) != '\n' || i == start) {
                continue;
            }
            byte previous = in.getByte(i - 1);
            if (previous == '\n' || previous == '\r' && i - 2 >= start && in.getByte(i - 2) == '\n') {
                return i + 1 - start;
            }
        }
        searched = end - start;
        return -1;
    }

    private static boolean isLineBreak(byte b) {
        return b == '\r' || b == '\n';
    }
}

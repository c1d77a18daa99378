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

import io.netty.buffer.ByteBuf;
import io.netty.channel.unix.FileDescriptor;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One ordinary {@code read(2)} of a socket, which both splice engines make when a splice from a socket that should
 * have bytes moved none (see {@link PipeFlow#move} and {@link SplicePump#readComplete}).
 *
 * <p>Why: TCP urgent data. The kernel's splice read ({@code tcp_read_sock}) stops at the urgent mark and never
 * passes it: a non-blocking splice there returns EAGAIN, or 0 after a FIN, and Netty reports both as 0, while epoll
 * keeps reporting the socket readable. An engine that only splices would spin on it, and after the FIN take it for
 * the end of stream and cut the bytes behind it. An ordinary read, like the copy mode's, skips the urgent byte (the
 * relay never sets {@code SO_OOBINLINE}) and returns the bytes after it, in order; the next splice then goes on from
 * there. So the urgent byte is dropped in every mode, and nothing else is. The read also answers what a 0 from splice
 * cannot: -1 is the end of stream, 0 means the socket has nothing now (a spurious wake-up).
 *
 * <p>The read is bounded by {@link #MAX_BYTES}, a page: it only has to get past the mark, and a page always fits in an
 * empty pipe, whatever size the kernel gave it. Threading: the caller's event loop, which owns the socket.
 */
final class PlainRead {
    /** The most one read takes. */
    static final int MAX_BYTES = 4096;
    /** What {@link #read} returns at the end of stream. */
    static final int END_OF_STREAM = -1;

    private PlainRead() {
    }

    /**
     * Reads at most {@link #MAX_BYTES}, and at most {@code into}'s writable bytes, from {@code socket} into
     * {@code into}, a direct buffer, moving its writer index.
     *
     * @return the bytes read; 0 if the socket has none now; {@link #END_OF_STREAM} at its end of stream
     * @throws IOException a reset, for one
     */
    static int read(FileDescriptor socket, ByteBuf into) throws IOException {
        int length = Math.min(MAX_BYTES, into.writableBytes());
        ByteBuffer target = into.internalNioBuffer(into.writerIndex(), length);
        int n = socket.read(target, target.position(), target.limit());
        if (n > 0) {
            into.writerIndex(into.writerIndex() + n);
        }
        return n;
    }
}

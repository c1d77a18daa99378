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
 * One direction of a {@link DirectRelay} in copy mode: bytes are read from the source socket into a buffer and
 * written from it to the sink socket, with {@code read(2)} and {@code write(2)}.
 *
 * <p>The source is read only into an empty buffer, and read again only once the sink took all of it: a sink with no
 * room stops its source (backpressure) and the flow waits for the sink to be writable. A read that fills less than
 * the buffer leaves the source empty, so the flow stops there and epoll, level-triggered, reports the next bytes;
 * once the source has hung up it reads on to its end of stream, so that the FIN goes on in the same wake-up. A
 * wake-up reads at most {@link PipeFlow#FILLS_PER_WAKE_UP} buffers, as a {@link PipeFlow} fills its pipe.
 *
 * <p>Ownership: the flow holds a buffer from its owner's allocator only while bytes are in flight and releases it
 * when empty; {@link #release()} releases it when the relay stops. The sockets belong to the relay. Bytes are counted
 * as they reach the sink. Threading: the relay's event loop.
 */
final class SocketCopyFlow extends SocketFlow {
    /** The bytes one read takes at most: a 64 KiB pipe's worth, as much as the splice engine moves per call. */
    static final int BUFFER_BYTES = Pipe.DEFAULT_CAPACITY;

    private ByteBuf buffer;

    SocketCopyFlow(FlowOwner owner, FileDescriptor source, FileDescriptor sink) {
        super(owner, source, sink);
    }

    @Override
    int inFlight() {
        return buffer == null ? 0 : buffer.readableBytes();
    }

    @Override
    void move(boolean sourceReported) throws IOException {
        if (isDone() || (buffer != null && !drain())) {
            return;
        }
        for (int fills = 0; fills < PipeFlow.FILLS_PER_WAKE_UP; fills++) {
            if (buffer == null) {
                buffer = owner.alloc().directBuffer(BUFFER_BYTES, BUFFER_BYTES);
            }
            ByteBuffer into = buffer.internalNioBuffer(0, BUFFER_BYTES);
            int n = source.read(into, into.position(), into.limit());
            if (n <= 0) {
                release();
                if (n < 0) {
                    end();
                }
                return;
            }
            buffer.writerIndex(n);
            if (!drain()) {
                return;
            }
            if (n < BUFFER_BYTES && !sourceHungUp) {
                break;
            }
        }
        release();
    }

    @Override
    void release() {
        if (buffer != null) {
            buffer.release();
            buffer = null;
        }
    }

    /** Writes the buffer's bytes to the sink; false if the sink has no room for all of them now. */
    private boolean drain() throws IOException {
        while (buffer.isReadable()) {
            ByteBuffer from = buffer.internalNioBuffer(buffer.readerIndex(), buffer.readableBytes());
            int n = sink.write(from, from.position(), from.limit());
            if (n == 0) {
                blocked = true;
                return false;
            }
            buffer.skipBytes(n);
            owner.count(n);
        }
        blocked = false;
        buffer.clear();
        return true;
    }
}

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
 * One direction of a {@link DirectRelay} in copy mode, or in splice mode until it has bulk to move: bytes are read
 * from the source socket into the event loop's read buffer and written from it to the sink socket at once, with
 * {@code read(2)} and {@code write(2)}.
 *
 * <p>What the sink has no room for is kept in a buffer of the flow's own, and the source is not read again until the
 * sink took all of it: a sink with no room stops its source (backpressure) and the flow waits for the sink to be
 * writable. A read that fills less than the read buffer leaves the source empty, so the flow stops there and epoll
 * reports the next bytes, level- or edge-triggered; once the source has hung up it reads on to its end of stream, so
 * that the FIN goes on in the same wake-up. A wake-up reads at most {@link PipeFlow#FILLS_PER_WAKE_UP} times, as a
 * {@link PipeFlow} fills its pipe. A read that fills the whole buffer, all of it written, is reported to the owner
 * ({@link FlowOwner#bulkAhead()}), which may hand the direction to a flow that splices. Where the flow stops with bytes
 * perhaps left (its budget spent, or the direction handed on), it says so ({@link FlowOwner#sourceMayHaveMore()}).
 *
 * <p>A preface (a {@link RelayPreface}'s bytes) is held from the start in the same way, so the sink gets it before any
 * byte of the source; it is not counted.
 *
 * <p>Ownership: the read buffer belongs to the loop and is shared by its flows; it holds nothing between calls. The
 * flow holds a buffer from its owner's allocator (or the preface) only while the sink owes room, and
 * {@link #release()} releases it when the relay stops. The sockets belong to the relay. Bytes are counted as they reach
 * the sink. Threading: the relay's event loop.
 */
final class SocketCopyFlow extends SocketFlow {
    /** The bytes one read takes at most: a 64 KiB pipe's worth, as much as the splice engine moves per call. */
    static final int BUFFER_BYTES = Pipe.DEFAULT_CAPACITY;

    private final ByteBuffer readBuffer;
    private ByteBuf held;
    /** Whether the held bytes are a preface, which is not counted. */
    private boolean heldPreface;

    /**
     * @param readBuffer the event loop's, direct, {@link #BUFFER_BYTES} long
     * @param preface    bytes for the sink ahead of the source's, or {@code null}; the flow owns them
     */
    SocketCopyFlow(FlowOwner owner, FileDescriptor source, FileDescriptor sink, ByteBuffer readBuffer,
                   ByteBuf preface) {
        super(owner, source, sink);
        this.readBuffer = readBuffer;
        if (preface != null) {
            // Held like bytes the sink had no room for: written first, the source untouched until then.
            held = directCopyIfNeeded(preface);
            heldPreface = true;
            blocked = true;
        }
    }

    @Override
    int inFlight() {
        return held == null ? 0 : held.readableBytes();
    }

    @Override
    void move(boolean sourceReported) throws IOException {
        if (isDone() || (held != null && !drainHeld())) {
            return;
        }
        for (int fills = 0; fills < PipeFlow.FILLS_PER_WAKE_UP; fills++) {
            int n = source.read(readBuffer, 0, BUFFER_BYTES);
            if (n <= 0) {
                if (n < 0) {
                    end();
                }
                return;
            }
            int written = write(readBuffer, 0, n);
            owner.count(written);
            if (written < n) {
                hold(written, n);
                return;
            }
            if (n == BUFFER_BYTES && owner.bulkAhead()) {
                owner.sourceMayHaveMore();
                return;
            }
            if (n < BUFFER_BYTES && !sourceHungUp) {
                return;
            }
        }
        owner.sourceMayHaveMore();
    }

    @Override
    void release() {
        if (held != null) {
            held.release();
            held = null;
        }
    }

    /** Writes bytes {@code from} to {@code to} of {@code buffer} to the sink until it has no room. */
    private int write(ByteBuffer buffer, int from, int to) throws IOException {
        int at = from;
        while (at < to) {
            int n = sink.write(buffer, at, to);
            if (n == 0) {
                break;
            }
            at += n;
        }
        return at - from;
    }

    /** Keeps bytes {@code from} to {@code to} of the read buffer, which the sink had no room for, until it has. */
    private void hold(int from, int to) {
        ByteBuffer rest = readBuffer.duplicate();
        rest.limit(to).position(from);
        held = owner.alloc().directBuffer(to - from);
        held.writeBytes(rest);
        blocked = true;
    }

    /** {@code bytes} in one direct buffer, as a write to a socket needs; releases {@code bytes} if it copies them. */
    private ByteBuf directCopyIfNeeded(ByteBuf bytes) {
        if (bytes.isDirect() && bytes.nioBufferCount() == 1) {
            return bytes;
        }
        try {
            return owner.alloc().directBuffer(bytes.readableBytes()).writeBytes(bytes);
        } finally {
            bytes.release();
        }
    }

    /** Writes the held bytes to the sink; false if it has no room for all of them now. */
    private boolean drainHeld() throws IOException {
        ByteBuffer from = held.internalNioBuffer(held.readerIndex(), held.readableBytes());
        int written = write(from, from.position(), from.limit());
        held.skipBytes(written);
        if (!heldPreface) {
            owner.count(written);
        }
        if (held.isReadable()) {
            blocked = true;
            return false;
        }
        release();
        heldPreface = false;
        blocked = false;
        return true;
    }
}

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
 * A kernel pipe that the {@link SpliceEngine#IO_HANDLE} engine splices through: bytes go from a source socket into
 * its write end and from its read end to the sink socket. It is never registered with epoll, so stale epoll events
 * cannot reach it.
 *
 * <p>Ownership: a pipe belongs to the {@link PipePool} of its event loop, which keeps it while it is idle (and then
 * empty) and lends it to one direction of one relay while bytes are in flight. {@link #close()} closes both fds
 * exactly once, whoever calls it first.
 * Threading: confined to one event loop, except for the pool's final close after that loop has terminated.
 */
final class Pipe {
    /** Linux's default pipe capacity, which a pipe made without {@code F_SETPIPE_SZ} has. */
    static final int DEFAULT_CAPACITY = 64 * 1024;
    /**
     * The capacity asked for where {@link PipeSizer} can resize pipes (Java 22+): Linux's default
     * {@code fs.pipe-max-size}, and 7 times fewer splice calls per GiB than 64 KiB in the prototype's measurements.
     */
    static final int WANTED_CAPACITY = 1 << 20;

    private final FileDescriptor readEnd;
    private final FileDescriptor writeEnd;
    private final int capacity;
    private boolean closed;

    private Pipe(FileDescriptor readEnd, FileDescriptor writeEnd, int capacity) {
        this.readEnd = readEnd;
        this.writeEnd = writeEnd;
        this.capacity = capacity;
    }

    static Pipe open() throws IOException {
        FileDescriptor[] ends = EpollIo.pipe();
        return new Pipe(ends[0], ends[1], PipeSizer.resize(ends[1], WANTED_CAPACITY));
    }

    FileDescriptor readEnd() {
        return readEnd;
    }

    FileDescriptor writeEnd() {
        return writeEnd;
    }

    /** How many bytes one splice into the empty pipe may move. */
    int capacity() {
        return capacity;
    }

    /**
     * Writes all of {@code bytes}, a direct buffer of at most {@link PlainRead#MAX_BYTES}, into the pipe, which must
     * be empty: they always fit, a pipe holds at least a page. Does not change {@code bytes}' indexes.
     *
     * @throws IOException if the pipe took fewer (it cannot, but the bytes must not be lost silently)
     */
    void write(ByteBuf bytes) throws IOException {
        ByteBuffer source = bytes.internalNioBuffer(bytes.readerIndex(), bytes.readableBytes());
        int written = writeEnd.write(source, source.position(), source.limit());
        if (written != bytes.readableBytes()) {
            throw new IOException("an empty pipe took " + written + " of " + bytes.readableBytes() + " bytes");
        }
    }

    /** Closes both ends; later calls do nothing. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        EpollIo.closeQuietly(readEnd);
        EpollIo.closeQuietly(writeEnd);
    }
}

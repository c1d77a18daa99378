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

/**
 * One direction of a relay run by {@link PipeSplicer} or by a {@link DirectRelay}: bytes go from the source socket
 * into a pipe and from the pipe to the sink socket, with {@code splice(2)}, never entering the JVM.
 *
 * <p>The source is only ever spliced into an <em>empty</em> pipe, so a splice that moves nothing there means the
 * source has nothing (EAGAIN) or is at end of stream: Netty reports both as 0. Once the source has hung up
 * ({@code EPOLLRDHUP} or {@code EPOLLHUP}), every byte it will ever have is already queued in the socket, so such a
 * 0 is the end of stream; a 0 without a hang-up never is, which keeps an event meant for another socket from ever
 * ending the stream early. Then the FIN is passed on ({@link FlowOwner#finish()}).
 *
 * <p>A wake-up fills the pipe at most {@link #FILLS_PER_WAKE_UP} times (1 MiB with 64 KiB pipes, 16 MiB with 1 MiB
 * pipes), so that one busy relay cannot starve the others on its event loop. Below that it splices until the source
 * has nothing; after a splice that moved less than it asked for, only while such extra splices find bytes
 * ({@link ShortSpliceHint}), and always once the source has hung up, so that its end of stream is found in the same
 * wake-up. Where it stops with bytes perhaps left, a level-triggered source is reported again at once, and the owner
 * is told ({@link FlowOwner#sourceMayHaveMore()}).
 *
 * <p>Ownership: the flow holds a pipe from its {@link PipePool} only while bytes are in flight, and gives it back
 * empty; {@link #release()} gives back or closes it when the relay stops. The two sockets belong to the relay (to
 * its channels, which the {@link PipeSplicer} holds meanwhile, or to the {@link DirectRelay}); the flow uses them
 * only while it runs. Bytes are counted as they reach the sink. Threading: the relay's event loop.
 */
final class PipeFlow extends SocketFlow {
    static final int FILLS_PER_WAKE_UP = 16;

    private final PipePool pool;
    private final ShortSpliceHint shortSplices = new ShortSpliceHint();
    private Pipe pipe;
    private int inPipe;

    PipeFlow(FlowOwner owner, FileDescriptor source, FileDescriptor sink, PipePool pool) {
        super(owner, source, sink);
        this.pool = pool;
    }

    /** Bytes taken from the source and not yet delivered to the sink. */
    @Override
    int inFlight() {
        return inPipe;
    }

    /**
     * Moves bytes until the source has none, the sink has no room or the wake-up's budget is spent; at the source's
     * end of stream it passes the FIN on. The caller must check that the relay is still running afterwards.
     *
     * <p>A splice into the empty pipe that moves nothing although the source should have bytes is answered with one
     * {@link PlainRead}: on the first fill of a wake-up in which epoll reported the source ready
     * ({@code sourceReported}), and on any fill once the source has hung up, where a 0 may be the end of stream or an
     * urgent mark. The bytes it reads go into the empty pipe and on like spliced ones; it also tells the end of stream
     * from an urgent mark. A later fill's 0 is just the source running dry, as usual.
     *
     * @param sourceReported whether this wake-up is the source's own readiness (not its sink's)
     * @throws IOException a reset, broken pipe or other failure of either socket
     */
    @Override
    void move(boolean sourceReported) throws IOException {
        if (isDone() || (inPipe > 0 && !drain())) {
            return;
        }
        boolean afterShortSplice = false;
        for (int fills = 0; fills < FILLS_PER_WAKE_UP; fills++) {
            if (pipe == null) {
                pipe = pool.take();
            }
            int n = EpollIo.splice(source, pipe.writeEnd(), pipe.capacity());
            if (afterShortSplice) {
                shortSplices.found(n > 0);
            }
            if (n == 0 && (sourceHungUp || (fills == 0 && sourceReported))) {
                n = readPlainly();
            }
            if (n <= 0) {
                givePipeBack();
                // After a hang-up the read finds the end of stream; a 0 from it there is taken as one, as ever.
                if (n == PlainRead.END_OF_STREAM || sourceHungUp) {
                    end();
                }
                return;
            }
            inPipe = n;
            if (!drain()) {
                return;
            }
            afterShortSplice = n < pipe.capacity() && !sourceHungUp;
            if (afterShortSplice && !shortSplices.spliceAgain()) {
                break;
            }
        }
        givePipeBack();
        owner.sourceMayHaveMore();
    }

    /** Gives the pipe back to the pool if it is empty, closes it otherwise. Called once the relay has stopped. */
    @Override
    void release() {
        if (pipe == null) {
            return;
        }
        if (inPipe == 0) {
            pool.give(pipe);
        } else {
            pool.discard(pipe);
        }
        pipe = null;
    }

    /** Splices the pipe's bytes to the sink; false if the sink has no room for all of them now. */
    private boolean drain() throws IOException {
        while (inPipe > 0) {
            int n = EpollIo.splice(pipe.readEnd(), sink, inPipe);
            if (n == 0) {
                blocked = true;
                return false;
            }
            inPipe -= n;
            owner.count(n);
        }
        blocked = false;
        return true;
    }

    /**
     * One {@link PlainRead} of the source into the empty pipe.
     *
     * @return the bytes now in the pipe; 0 if the source has none now; {@link PlainRead#END_OF_STREAM}
     */
    private int readPlainly() throws IOException {
        ByteBuf bytes = owner.alloc().directBuffer(PlainRead.MAX_BYTES);
        try {
            int n = PlainRead.read(source, bytes);
            if (n > 0) {
                pipe.write(bytes);
            }
            return n;
        } finally {
            bytes.release();
        }
    }

    private void givePipeBack() {
        if (pipe != null) {
            pool.give(pipe);
            pipe = null;
        }
    }
}

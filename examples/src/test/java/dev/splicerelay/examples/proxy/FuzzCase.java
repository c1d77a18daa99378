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

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * One input the fuzzer sends to a front: its bytes, the writes they are split into, and how the client's side ends
 * once they are written. Made whole from a seed before anything is sent, so that what a run sends does not depend on
 * timing, and {@link #toString} says everything needed to send it again.
 *
 * @param id          the run's seed, the front and the case's number
 * @param kind        what the generator meant to get wrong
 * @param writes      the sizes of the successive writes, adding up to {@code bytes.length}
 * @param pauseMillis the pause between two writes
 */
record FuzzCase(String id, String kind, byte[] bytes, int[] writes, int pauseMillis, Ending ending) {
    /** How the client's side ends after its last write. */
    enum Ending {
        /** {@code shutdownOutput}: the proxy sees the end of the stream, in the middle of the handshake for most. */
        HALF_CLOSE,
        /** Nothing: a handshake left incomplete ends only by {@code --handshake-timeout}. */
        STAY_OPEN,
        /** {@code close} without reading the answer. */
        CLOSE,
        /** {@code close} with {@code SO_LINGER} 0: a reset. */
        RESET;

        static Ending random(SplittableRandom random) {
            int roll = random.nextInt(100);
            return roll < 45 ? HALF_CLOSE : roll < 75 ? STAY_OPEN : roll < 90 ? CLOSE : RESET;
        }

        /** Whether the client reads what the proxy answers; after a close or a reset it cannot. */
        boolean readsAnswer() {
            return this == HALF_CLOSE || this == STAY_OPEN;
        }
    }

    /**
     * What the proxy did: what it answered, whether it closed the connection within the limit, and when; and when
     * the client had written everything, or -1 if the proxy closed before it had. Empty for a client that closed
     * without reading.
     */
    record Outcome(byte[] reply, boolean closed, long millis, long writtenMillis) {
    }

    /**
     * {@code bytes} in one write mostly, in a few writes some pauses apart (so that the proxy reads them
     * separately), and now and then one byte at a time for up to 200 bytes: the slow client that a handshake
     * timeout is for.
     */
    static FuzzCase of(String id, String kind, byte[] bytes, Ending ending, SplittableRandom random) {
        int roll = random.nextInt(100);
        if (roll < 85 || bytes.length == 1) {
            return new FuzzCase(id, kind, bytes, new int[] {bytes.length}, 0, ending);
        }
        if (roll < 97) {
            int[] cuts = random.ints(1 + random.nextInt(Math.min(19, bytes.length - 1)), 1, bytes.length)
                    .distinct().sorted().toArray();
            int[] writes = new int[cuts.length + 1];
            for (int i = 0, from = 0; i < writes.length; i++) {
                int to = i < cuts.length ? cuts[i] : bytes.length;
                writes[i] = to - from;
                from = to;
            }
            return new FuzzCase(id, kind, bytes, writes, random.nextInt(4), ending);
        }
        int slow = Math.min(bytes.length, 200);
        int[] writes = new int[slow == bytes.length ? slow : slow + 1];
        Arrays.fill(writes, 0, slow, 1);
        if (slow < bytes.length) {
            writes[slow] = bytes.length - slow;
        }
        return new FuzzCase(id, kind, bytes, writes, 2, ending);
    }

    /** {@code bytes} in one write, then a half-close. */
    static FuzzCase inOneWrite(String id, String kind, byte[] bytes) {
        return new FuzzCase(id, kind, bytes, new int[] {bytes.length}, 0, Ending.HALF_CLOSE);
    }

    /**
     * Connects to the proxy on 127.0.0.1:{@code port}, sends the case, ends the client's side as {@link #ending} says
     * and, unless it closed, reads until the proxy closes or {@code closeLimit} after connecting has passed.
     */
    Outcome sendTo(int port, Duration closeLimit) throws IOException, InterruptedException {
        long start = System.nanoTime();
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            boolean written = write(socket.getOutputStream());
            long writtenMillis = written ? (System.nanoTime() - start) / 1_000_000 : -1;
            if (!ending.readsAnswer()) {
                socket.setSoLinger(ending == Ending.RESET, 0);
                return new Outcome(new byte[0], true, writtenMillis, writtenMillis);
            }
            if (ending == Ending.HALF_CLOSE && written) {
                try {
                    socket.shutdownOutput();
                } catch (SocketException e) {
                    // The proxy closed right after the last write, as it may once it has answered.
                }
            }
            return readToClose(socket, start, closeLimit, writtenMillis);
        }
    }

    /** Returns false if the proxy closed before it had everything, which it may do once it has answered. */
    private boolean write(OutputStream out) throws InterruptedException {
        try {
            int offset = 0;
            for (int i = 0; i < writes.length; i++) {
                if (i > 0 && pauseMillis > 0) {
                    Thread.sleep(pauseMillis);
                }
                out.write(bytes, offset, writes[i]);
                out.flush();
                offset += writes[i];
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static Outcome readToClose(Socket socket, long start, Duration closeLimit, long writtenMillis)
            throws IOException {
        long deadline = start + closeLimit.toNanos();
        ByteArrayOutputStream reply = new ByteArrayOutputStream();
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[8192];
        boolean closed = false;
        try {
            for (long left = closeLimit.toNanos(); left > 0 && !closed; left = deadline - System.nanoTime()) {
                socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
                int n = in.read(buffer);
                closed = n < 0;
                if (!closed) {
                    reply.write(buffer, 0, n);
                }
            }
        } catch (SocketTimeoutException e) {
            closed = false;
        } catch (SocketException e) {
            // A reset counts as a close: the proxy resets when it closes with bytes of the input still unread.
            if (!String.valueOf(e.getMessage()).contains("reset")) {
                throw e;
            }
            closed = true;
        }
        return new Outcome(reply.toByteArray(), closed, (System.nanoTime() - start) / 1_000_000, writtenMillis);
    }

    @Override
    public String toString() {
        return id + ", " + kind + ", " + bytes.length + " bytes " + delivery() + ", then " + ending + ": "
                + FuzzBytes.hex(bytes);
    }

    private String delivery() {
        if (writes.length == 1) {
            return "in one write";
        }
        int singles = 0;
        while (singles < writes.length && writes[singles] == 1) {
            singles++;
        }
        String sizes = writes.length <= 20 ? Arrays.toString(writes)
                : "[" + singles + " x 1" + (singles < writes.length ? ", " + writes[singles] : "") + "]";
        return "in " + writes.length + " writes " + pauseMillis + " ms apart " + sizes;
    }
}

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
package dev.splicerelay.testing;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * Blocking test peers that send seeded pseudo-random bytes and read to EOF, hashing both with SHA-256, so that a test
 * compares what one side sent with what the other received. Each call runs on the calling thread and blocks until it
 * is done; it neither closes the socket or stream it is given nor sets a time limit on it: the test's socket timeout
 * or JUnit timeout bounds it.
 */
public final class Streams {
    private static final int CHUNK = 64 * 1024;

    private Streams() {
    }

    /** What one side sent or received: the byte count and the SHA-256 of the bytes, in lower-case hex. */
    public record Transfer(long bytes, String sha256) {
    }

    /** Writes {@code size} seeded bytes in chunks of varying length, then shuts down the output if asked. */
    public static Transfer send(Socket socket, long size, long seed, boolean shutdownOutput) throws IOException {
        return send(socket, new byte[0], size, seed, shutdownOutput);
    }

    /**
     * Writes {@code prefix} (not counted) and {@code size} seeded bytes through one buffer, so that the prefix and
     * the first bytes after it leave in one write; then shuts down the output if asked.
     */
    public static Transfer send(Socket socket, byte[] prefix, long size, long seed, boolean shutdownOutput)
            throws IOException {
        return send(TestSocket.tcp(socket), prefix, size, seed, shutdownOutput);
    }

    public static Transfer send(TestSocket socket, long size, long seed, boolean shutdownOutput) throws IOException {
        return send(socket, new byte[0], size, seed, shutdownOutput);
    }

    public static Transfer send(TestSocket socket, byte[] prefix, long size, long seed, boolean shutdownOutput)
            throws IOException {
        return send(socket.out(), shutdownOutput ? socket::shutdownOutput : null, prefix, size, seed);
    }

    /** Shuts down a connection's output: sends FIN. */
    public interface HalfClose {
        void shutdownOutput() throws IOException;
    }

    /** {@link #send(Socket, byte[], long, long, boolean)} on any stream; {@code halfClose} may be null. */
    public static Transfer send(OutputStream raw, HalfClose halfClose, byte[] prefix, long size, long seed)
            throws IOException {
        OutputStream out = new BufferedOutputStream(raw, 1 << 20);
        out.write(prefix);
        Transfer sent = generate(size, seed, out::write);
        out.flush();
        if (halfClose != null) {
            halfClose.shutdownOutput();
        }
        return sent;
    }

    /** Reads until EOF; {@code pauseEveryMillis} > 0 makes a slow reader that sleeps after every small read. */
    public static Transfer receive(Socket socket, int readSize, long pauseEveryMillis) throws IOException {
        return receive(TestSocket.tcp(socket), readSize, pauseEveryMillis);
    }

    public static Transfer receive(TestSocket socket, int readSize, long pauseEveryMillis) throws IOException {
        return receive(socket.in(), readSize, pauseEveryMillis);
    }

    public static Transfer receive(InputStream in, int readSize, long pauseEveryMillis) throws IOException {
        MessageDigest digest = newSha256();
        byte[] buf = new byte[readSize];
        long total = 0;
        int n;
        while ((n = in.read(buf)) >= 0) {
            digest.update(buf, 0, n);
            total += n;
            if (pauseEveryMillis > 0) {
                sleep(pauseEveryMillis);
            }
        }
        return new Transfer(total, hex(digest));
    }

    public static Transfer receive(Socket socket) throws IOException {
        return receive(socket, CHUNK, 0);
    }

    public static Transfer receive(TestSocket socket) throws IOException {
        return receive(socket, CHUNK, 0);
    }

    public static Transfer receive(InputStream in) throws IOException {
        return receive(in, CHUNK, 0);
    }

    /** Reads until EOF or a reset (the relay passes resets on) and returns {@link System#nanoTime()} then. */
    public static long readUntilEnd(Socket socket) {
        return readUntilEnd(TestSocket.tcp(socket));
    }

    public static long readUntilEnd(TestSocket socket) {
        byte[] buf = new byte[CHUNK];
        try {
            InputStream in = socket.in();
            while (in.read(buf) >= 0) {
                // until the relay ends this side
            }
        } catch (IOException endedByAReset) {
            // a reset ends the stream too
        }
        return System.nanoTime();
    }

    /** The SHA-256 of what {@link #send} writes for {@code size} and {@code seed}, without a socket. */
    public static Transfer expected(long size, long seed) {
        try {
            return generate(size, seed, (chunk, off, n) -> { });
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private interface ChunkSink {
        void write(byte[] chunk, int off, int n) throws IOException;
    }

    private static Transfer generate(long size, long seed, ChunkSink sink) throws IOException {
        MessageDigest digest = newSha256();
        SplittableRandom random = new SplittableRandom(seed);
        byte[] chunk = new byte[CHUNK];
        long left = size;
        while (left > 0) {
            int n = (int) Math.min(left, 1 + random.nextInt(CHUNK));
            fill(random, chunk, n);
            digest.update(chunk, 0, n);
            sink.write(chunk, 0, n);
            left -= n;
        }
        return new Transfer(size, hex(digest));
    }

    private static void fill(SplittableRandom random, byte[] chunk, int n) {
        for (int i = 0; i < n; i += 8) {
            long v = random.nextLong();
            for (int j = i; j < Math.min(n, i + 8); j++) {
                chunk[j] = (byte) v;
                v >>>= 8;
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The SHA-256 of {@code bytes}, in lower-case hex as {@link Transfer#sha256()}. */
    public static String sha256(byte[] bytes) {
        MessageDigest digest = newSha256();
        digest.update(bytes);
        return hex(digest);
    }

    /** A new SHA-256 digest, for tests that hash bytes as they go; {@link #hex} finishes it. */
    public static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Finishes {@code digest} and returns the hash in lower-case hex, as {@link Transfer#sha256()}. */
    public static String hex(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest());
    }
}

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

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The demo's client: it sends {@code size} bytes through the proxy to the {@link DemoSink}, hashing them with SHA-256
 * as it goes, ends its side, and reads the digest of what the sink received, up to the end of the stream.
 *
 * <p>The bytes are one random 1 MiB block, with each copy's first 8 bytes replaced by its sequence number, so that a
 * lost, repeated or reordered chunk changes the digest while generating them costs next to nothing.
 */
final class DemoTransfer {
    private static final int CHUNK = 1 << 20;

    /**
     * @param nanos from connecting to having the sink's digest
     */
    record Result(long bytes, long nanos, byte[] sentDigest, byte[] receivedDigest) {
        boolean intact() {
            return Arrays.equals(sentDigest, receivedDigest);
        }

        double megabytesPerSecond() {
            return bytes / (nanos / 1e9) / 1e6;
        }
    }

    private DemoTransfer() {
    }

    static Result run(InetSocketAddress proxy, long size, ProgressBar progress) throws IOException {
        byte[] chunk = new byte[CHUNK];
        new SplittableRandom(42).nextBytes(chunk);
        ByteBuffer stamp = ByteBuffer.wrap(chunk);
        MessageDigest digest = DemoSink.sha256();
        long start = System.nanoTime();
        try (Socket socket = new Socket(proxy.getAddress(), proxy.getPort())) {
            OutputStream out = socket.getOutputStream();
            long sent = 0;
            for (long sequence = 0; sent < size; sequence++) {
                stamp.putLong(0, sequence);
                int length = (int) Math.min(CHUNK, size - sent);
                digest.update(chunk, 0, length);
                out.write(chunk, 0, length);
                sent += length;
                progress.update(sent);
            }
            socket.shutdownOutput();
            byte[] received = new byte[32];
            DataInputStream in = new DataInputStream(socket.getInputStream());
            in.readFully(received);
            if (in.read() != -1) {
                throw new IOException("the sink sent more than its digest");
            }
            progress.finish(sent);
            return new Result(sent, System.nanoTime() - start, digest.digest(), received);
        }
    }
}

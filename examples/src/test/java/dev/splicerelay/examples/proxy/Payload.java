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

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.SplittableRandom;

/**
 * Reproducible test bytes: {@code length} pseudo-random bytes from {@code seed}, written in chunks of varying size so
 * that the proxy sees irregular reads; and SHA-256 helpers to check what arrived.
 */
record Payload(long seed, long length) {
    private static final int MAX_CHUNK = 256 * 1024;

    void writeTo(OutputStream out) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] chunk = new byte[MAX_CHUNK];
        for (long left = length; left > 0; ) {
            int n = (int) Math.min(left, 1 + random.nextInt(MAX_CHUNK));
            fill(random, chunk, n);
            out.write(chunk, 0, n);
            left -= n;
        }
        out.flush();
    }

    byte[] sha256() {
        MessageDigest digest = newSha256();
        SplittableRandom random = new SplittableRandom(seed);
        byte[] chunk = new byte[MAX_CHUNK];
        for (long left = length; left > 0; ) {
            int n = (int) Math.min(left, 1 + random.nextInt(MAX_CHUNK));
            fill(random, chunk, n);
            digest.update(chunk, 0, n);
            left -= n;
        }
        return digest.digest();
    }

    /** Reads {@code in} to its end; returns the SHA-256 of what came and how many bytes that was. */
    static Received readToEnd(InputStream in) throws IOException {
        MessageDigest digest = newSha256();
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = in.read(buffer)) >= 0) {
            digest.update(buffer, 0, n);
            total += n;
        }
        return new Received(total, digest.digest());
    }

    static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void fill(SplittableRandom random, byte[] chunk, int n) {
        for (int i = 0; i < n; i += 8) {
            long value = random.nextLong();
            for (int j = 0; j < 8 && i + j < n; j++) {
                chunk[i + j] = (byte) (value >>> (8 * j));
            }
        }
    }

    record Received(long bytes, byte[] sha256) {
    }
}

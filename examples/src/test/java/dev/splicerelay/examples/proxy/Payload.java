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

import dev.splicerelay.testing.Streams;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Reproducible test bytes that a test names once, sends and checks: {@code length} pseudo-random bytes from
 * {@code seed}, as core's {@link Streams} writes them, in chunks of varying size so that the proxy sees irregular
 * reads.
 */
record Payload(long seed, long length) {
    /** Writes the bytes to {@code out} and flushes it; leaves it open. */
    void writeTo(OutputStream out) throws IOException {
        Streams.send(out, null, new byte[0], length, seed);
    }

    /** The SHA-256 of the bytes, in hex as {@link Streams.Transfer#sha256()}, computed without writing them. */
    String sha256() {
        return Streams.expected(length, seed).sha256();
    }
}

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

/**
 * Whether a {@link PipeFlow} splices its source once more, in the same wake-up, after a splice that moved less than
 * it asked for; learned per direction from what those extra splices found.
 *
 * <p>A short splice means the socket had no more bytes at that moment. For small requests and their answers (a
 * database, an RPC) the extra splice then only finds EAGAIN: one system call in three. But a server that writes an
 * answer in several writes (nginx over HTTP/2) often has the rest in the socket by then, and leaving it to the next
 * wake-up sends the answer on in more pieces, which cost h2load far more than one splice (BENCHMARKS.md, "Short
 * splices"). So the flow makes the extra splice while it pays, stops after {@link #MISSES} in a row found nothing,
 * and then tries it on every {@link #PROBE_EVERY}th short splice, which turns it on again once one finds bytes.
 * Skipping it loses nothing: epoll is level-triggered and reports bytes left in the socket in the next wake-up.
 *
 * <p>Threading: the flow's event loop.
 */
final class ShortSpliceHint {
    static final int MISSES = 4;
    static final int PROBE_EVERY = 16;

    private int misses;
    private int skipped;

    /** A splice moved less than it asked for: whether to splice the source again now. */
    boolean spliceAgain() {
        if (misses < MISSES) {
            return true;
        }
        if (++skipped < PROBE_EVERY) {
            return false;
        }
        skipped = 0;
        return true;
    }

    /** What the splice made after {@link #spliceAgain()} said yes found: bytes, or nothing. */
    void found(boolean bytes) {
        misses = bytes ? 0 : Math.min(misses + 1, MISSES);
    }
}

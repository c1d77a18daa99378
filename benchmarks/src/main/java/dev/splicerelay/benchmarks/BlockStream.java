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
package dev.splicerelay.benchmarks;

import java.nio.ByteBuffer;
import java.util.Random;

/**
 * The byte stream the throughput benchmarks send: blocks of {@value #BLOCK_SIZE} pseudo-random bytes (the same for
 * every block and every run), each starting with its block number as a long, so that a dropped, repeated or reordered
 * block shows as a mismatch and not only a corrupted byte.
 */
final class BlockStream {
    /** Bytes per block; one benchmark operation sends one block, so ops/s equals MiB/s. */
    static final int BLOCK_SIZE = 1 << 20;

    private static final byte[] PATTERN = new byte[BLOCK_SIZE];

    static {
        new Random(0x5EED_5EEDL).nextBytes(PATTERN);
    }

    private BlockStream() {
    }

    /** A new direct buffer holding block 0; {@link #number(ByteBuffer, long)} turns it into any other block. */
    static ByteBuffer newBlock() {
        ByteBuffer block = ByteBuffer.allocateDirect(BLOCK_SIZE);
        block.put(PATTERN).clear();
        number(block, 0);
        return block;
    }

    /** Makes {@code block} (from {@link #newBlock()}) hold block number {@code n}. */
    static void number(ByteBuffer block, long n) {
        block.putLong(0, n);
    }
}

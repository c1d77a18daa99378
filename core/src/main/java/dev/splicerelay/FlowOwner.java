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

import io.netty.buffer.ByteBufAllocator;

/**
 * What a flow between two sockets ({@link PipeFlow}, {@link SocketCopyFlow}) reports to the relay it belongs to, and
 * the one thing it asks of it. A {@link Direction} is the owner for relays of channels, a {@link DirectRelay} side for
 * relays of sockets without channels. Threading: the relay's event loop.
 */
interface FlowOwner {
    /** {@code n} bytes reached the sink. */
    void count(long n);

    /** The source is at its end of stream and every byte of it reached the sink: pass the FIN on. */
    void finish();

    /** Where the flow takes a buffer from when it must read bytes into the JVM. */
    ByteBufAllocator alloc();

    /**
     * A read filled a copying flow's whole buffer and the sink took all of it: the source has bulk to move. An owner
     * that splices bulk may hand the direction to a {@link PipeFlow} now; true if it did, and the copying flow stops
     * at once and is never called again. Owners whose flows never change keep this default.
     */
    default boolean bulkAhead() {
        return false;
    }

    /**
     * The flow stopped with bytes perhaps still in its source: its wake-up's budget is spent, a short splice ended it
     * ({@link ShortSpliceHint}), or it handed the direction on ({@link #bulkAhead}). A source registered
     * level-triggered is reported again for them; an owner that registered it edge-triggered must see to that
     * itself, as no new edge may come. Owners of level-triggered sources keep this default.
     */
    default void sourceMayHaveMore() {
    }
}

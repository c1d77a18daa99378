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

import io.netty.channel.Channel;

/**
 * What moves a relay's bytes once it has started: one per relay, made by {@link ModeChoice#newEngine} for the mode
 * and splice engine chosen. {@link CopyEngine} and {@link SpliceToEngine} run a {@link Pump} per direction inside
 * Netty's pipelines; {@link PipeSplicer}, the own splice engine, takes both channels from Netty.
 *
 * <p>An engine works on the relay's two {@link Direction}s and reports only through them: bytes moved
 * ({@link Direction#count}), a direction finished ({@link Direction#finish}) and failures
 * ({@link Direction#fail}); it never reaches the relay itself.
 *
 * <p>Threading: every method runs on the relay's event loop.
 */
interface Engine {
    /** Starts moving both directions; both channels are active and held by the relay. */
    void start();

    /**
     * Bytes the engine has taken from one channel and not yet written to {@code sink}'s socket, beyond those queued in
     * the sink's outbound buffer: those in a pipe of its own.
     */
    long inFlightTo(Channel sink);

    /**
     * Whether a channel's close must stop the engine inside {@code close()}: engines that splice use fd numbers,
     * which that close frees for anyone at once. Otherwise the relay hears of the close a task later, after the
     * failed write that may have caused it.
     */
    boolean stopsAtClose();

    /**
     * Lets go of both channels before the relay closes them, on every ending path; after it the engine touches
     * neither. Idempotent.
     */
    void stop();
}

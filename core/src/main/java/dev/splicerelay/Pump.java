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
 * What moves one {@link Direction}'s bytes inside Netty's pipelines, for the engines that work there
 * ({@link CopyEngine} with a {@link CopyPump}, {@link SpliceToEngine} with a {@link SplicePump}); the direction hands
 * it its source's read events. Every method runs on the relay's event loop.
 */
interface Pump {
    /** Starts moving bytes; the direction's source has not reached end of stream yet. */
    void start();

    /** The source finished a read cycle. */
    void readComplete();

    /** The source reached end of stream ({@code ChannelInputShutdownEvent}). */
    void inputShutdown();

    /** The sink's writability changed. */
    void sinkWritabilityChanged();
}

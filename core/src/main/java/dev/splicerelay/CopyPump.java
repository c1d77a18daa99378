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
 * Forwards {@link io.netty.buffer.ByteBuf}s from the source's pipeline to the sink, on any transport.
 *
 * <p>Backpressure: the source has {@code AUTO_READ} off and is asked for the next read cycle only while the sink is
 * writable, so the bytes held for a slow sink stay under its write-buffer high-water mark plus one read cycle.
 * Buffers are written by {@link Direction#onRead(Object)}; this class only decides when to read.
 */
final class CopyPump implements Pump {
    private final Direction direction;
    private boolean sourceEof;

    CopyPump(Direction direction) {
        this.direction = direction;
    }

    @Override
    public void start() {
        direction.source().read();
    }

    @Override
    public void readComplete() {
        if (!sourceEof && direction.sink().isWritable()) {
            direction.source().read();
        }
    }

    @Override
    public void inputShutdown() {
        sourceEof = true;
        direction.finish();
    }

    @Override
    public void sinkWritabilityChanged() {
        if (!sourceEof && direction.sink().isWritable()) {
            direction.source().read();
        }
    }
}

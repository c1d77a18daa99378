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

import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelOption;

/**
 * Socket and read options that {@code RelayMain} can set on both channels of every relay, for the tuning experiments
 * in BENCHMARKS.md ("Tuning"). Zero or {@code null} leaves Netty's default.
 *
 * @param socketBuffer {@code SO_RCVBUF} and {@code SO_SNDBUF} in bytes (the kernel doubles what it is given)
 * @param maxRead      the largest read Netty's adaptive receive allocator may make, in bytes (Netty's default: 64 KiB);
 *                     matters in copy mode only, as splicing reads no buffer
 * @param tcpNoDelay   {@code TCP_NODELAY} (Netty's default: on)
 */
record ChannelTuning(int socketBuffer, int maxRead, Boolean tcpNoDelay) {
    static final ChannelTuning NONE = new ChannelTuning(0, 0, null);

    /** From {@code --sockbuf BYTES}, {@code --max-read BYTES} and {@code --nodelay true|false}. */
    static ChannelTuning parse(Args args) {
        String noDelay = args.get("--nodelay", "");
        return new ChannelTuning(Integer.parseInt(args.get("--sockbuf", "0")),
                Integer.parseInt(args.get("--max-read", "0")), noDelay.isEmpty() ? null : Boolean.valueOf(noDelay));
    }

    /** Sets the options on {@code channel}; it may not be registered yet. */
    void apply(Channel channel) {
        ChannelConfig config = channel.config();
        if (socketBuffer > 0) {
            config.setOption(ChannelOption.SO_RCVBUF, socketBuffer);
            config.setOption(ChannelOption.SO_SNDBUF, socketBuffer);
        }
        if (maxRead > 0) {
            config.setRecvByteBufAllocator(new AdaptiveRecvByteBufAllocator(64, 2048, maxRead));
        }
        if (tcpNoDelay != null) {
            config.setOption(ChannelOption.TCP_NODELAY, tcpNoDelay);
        }
    }

    @Override
    public String toString() {
        return this.equals(NONE) ? "Netty's defaults" : "sockbuf " + socketBuffer + ", max read " + maxRead
                + ", nodelay " + (tcpNoDelay == null ? "default" : tcpNoDelay);
    }
}

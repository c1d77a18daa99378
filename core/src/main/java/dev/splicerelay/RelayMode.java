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
 * How a {@link SpliceRelayHandler} moves bytes between its two channels.
 */
public enum RelayMode {
    /**
     * Splice where possible, otherwise copy. {@link RelayStats#modeReason()} says which was chosen and why.
     */
    AUTO,
    /**
     * Kernel {@code splice(2)} through a pipe: the bytes never enter the JVM. Needs both channels to be epoll stream
     * channels on the same event loop with no other handler in either pipeline and {@code SO_LINGER} not above 0
     * (Netty would close them on another thread while they splice); a relay that cannot splice fails
     * its completion future with an {@link IllegalStateException} that says why, and closes both channels. Which
     * engine splices is {@link RelayConfig#spliceEngine()}'s choice.
     */
    SPLICE,
    /**
     * {@link io.netty.buffer.ByteBuf} forwarding through both pipelines, on any transport, with backpressure that
     * follows the receiving channel's writability.
     */
    COPY
}

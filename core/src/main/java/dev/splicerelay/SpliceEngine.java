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
 * Which engine moves the bytes of a relay that splices ({@link RelayMode#SPLICE}, or {@link RelayMode#AUTO} where it
 * splices). Both are kernel {@code splice(2)} through a pipe, and both keep every guarantee of
 * {@link SpliceRelayHandler}; they differ in what they need from Netty. {@link RelayStats#modeReason()} names the
 * engine that ran and why.
 */
public enum SpliceEngine {
    /**
     * {@link #IO_HANDLE} where it can run, {@link #SPLICE_TO} otherwise (Netty 4.1).
     */
    AUTO,
    /**
     * splice-relay's own engine, on Netty 4.2's public I/O registration API: the relay takes both channels from Netty
     * while it runs, registers their sockets itself, fills a pipe up to 16 times per wake-up, holds a pipe only while
     * bytes are in flight (idle pipes go back to a small pool per event loop) and gives the channels back to Netty
     * when it ends. Needs Netty 4.2. Requested explicitly where it cannot run, the relay fails to start as
     * {@link RelayMode#SPLICE} does.
     */
    IO_HANDLE,
    /**
     * Netty's own {@code AbstractEpollStreamChannel.spliceTo}, deprecated upstream and removed in Netty 5: one
     * 64 KiB pipe per channel for the relay's whole life, the channels stay registered with Netty.
     */
    SPLICE_TO
}

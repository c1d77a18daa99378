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
/**
 * A byte-exact TCP relay for Netty: {@link dev.splicerelay.SpliceRelayHandler} joins two connected channels and
 * moves their bytes both ways until both directions are finished, with kernel {@code splice(2)} on the epoll
 * transport and {@link io.netty.buffer.ByteBuf} forwarding on every other transport.
 *
 * <p>Start with {@link dev.splicerelay.RelayBootstrap} to open the outbound connection and
 * {@link dev.splicerelay.SpliceRelayHandler} to relay; {@link dev.splicerelay.RelayConfig} holds the options and
 * {@link dev.splicerelay.RelayStats} reports how a relay ended.
 */
package dev.splicerelay;

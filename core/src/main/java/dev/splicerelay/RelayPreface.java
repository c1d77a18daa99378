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

import io.netty.buffer.ByteBuf;

import java.net.InetSocketAddress;

/**
 * The bytes a {@link SpliceRelayServer} writes to a client's target before any of the client's own, such as a PROXY
 * protocol header that tells the target who the client is: the server's counterpart of
 * {@link SpliceRelayHandler}'s peer preface. The target reads them first, the client's bytes follow in order, and
 * they are not counted as relayed ({@link RelayStats}). The client is not read until the target has taken them all.
 *
 * <p>Threading: called on the client's event loop, once the target accepted the connection, before the relay
 * starts; it should return at once.
 */
@FunctionalInterface
public interface RelayPreface {
    /**
     * The preface for one client and the target it is connected to.
     *
     * @param client the client's address
     * @param local the address the client connected to, as the server's socket for it has it
     * @param target the target that accepted
     * @return the bytes, which the server owns from then on and releases once written or when the relay ends; an
     *         empty buffer or {@code null} for none
     */
    ByteBuf preface(InetSocketAddress client, InetSocketAddress local, InetSocketAddress target);
}

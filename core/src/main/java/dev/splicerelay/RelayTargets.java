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

import java.net.InetSocketAddress;
import java.util.Iterator;

/**
 * Where a {@link SpliceRelayServer} connects each client: the targets to try, in order, until one accepts the
 * connection. The server asks the iterator for the next target only once the previous one has failed, so a
 * balancer may skip a target that went down meanwhile. For a fixed list: {@code client -> targets.iterator()}.
 *
 * <p>Threading: called on the event loop of the client, from every loop of the server at once; it must be
 * thread-safe and must not block.
 */
@FunctionalInterface
public interface RelayTargets {
    /**
     * Chooses the targets of one client.
     *
     * @param client the client's address
     * @return the targets to try, in order, each an address or a name ({@link InetSocketAddress#createUnresolved}),
     *         which the server's resolver resolves first; none to turn the client away
     */
    Iterator<InetSocketAddress> forClient(InetSocketAddress client);
}

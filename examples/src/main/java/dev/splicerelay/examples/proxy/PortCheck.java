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
package dev.splicerelay.examples.proxy;

import java.io.IOException;
import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;

/**
 * Whether another socket listens on a TCP address already, asked before the proxy binds its own listening sockets
 * with {@code SO_REUSEPORT}. Linux lets any socket with {@code SO_REUSEPORT} of the same user join a port whose
 * sockets all have it, which is how the proxy's event loops share one port; but it would let a second proxy join
 * just as silently. A socket without {@code SO_REUSEPORT} cannot join, so the check binds one (with
 * {@code SO_REUSEADDR}, so that connections in {@code TIME_WAIT} do not count, and without listening) and closes it
 * at once: it fails exactly when a listening socket holds the address.
 *
 * <p>Between the check and the proxy's bind another process could still take the port; its own check, if it is a
 * splice-proxy, then fails on the proxy's sockets. Stateless.
 */
final class PortCheck {
    private PortCheck() {
    }

    /** @throws BindException if a socket listens on {@code address} */
    static void checkFree(InetSocketAddress address) throws IOException {
        StandardProtocolFamily family = address.getAddress() instanceof Inet6Address
                ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
        try (SocketChannel probe = SocketChannel.open(family)) {
            probe.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            probe.bind(address);
        } catch (BindException e) {
            throw new BindException("the address is in use: another process listens on it (--reuse-port shares the"
                    + " port with processes of the same user that set SO_REUSEPORT too; --handover PATH takes it"
                    + " over from a running splice-proxy)");
        }
    }
}

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

import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.AttributeKey;

import java.io.IOException;
import java.net.SocketAddress;

/**
 * Where a client connection really comes from and goes to. Behind another load balancer ({@code --accept-proxy}) the
 * channel's own addresses are that balancer's; the client's PROXY protocol header carries the real ones, and
 * {@link ProxyHeaderReader} records them here, on the client channel, before the front starts. Any handler, log or
 * metric that names the client reads them from here, as {@code --send-proxy} does.
 *
 * <p>Threading: recorded on the client's event loop before anything else uses the channel; read from any thread.
 */
final class ClientAddress {
    private static final AttributeKey<Addresses> FROM_PROXY_HEADER =
            AttributeKey.valueOf(ClientAddress.class, "fromProxyHeader");

    private ClientAddress() {
    }

    /**
     * The client address for logs: from the PROXY header if there was one, else the channel's remote address. An
     * {@code InetSocketAddress}, or a {@code DomainSocketAddress} for a client on a Unix domain socket (whose path is
     * usually empty); {@code null} only for a channel that was never connected.
     */
    static SocketAddress source(Channel client) {
        Addresses header = client.attr(FROM_PROXY_HEADER).get();
        return header != null ? header.source : client.remoteAddress();
    }

    /**
     * The client as the logs name it: {@link #source}, written as {@link ProxyAddress#toString(SocketAddress)} writes
     * it; for a Unix socket client without a PROXY header, which has no address, the process at the other end and the
     * socket it connected to. On the client channel's event loop.
     */
    static String of(Channel client) {
        SocketAddress source = source(client);
        boolean unnamed = source == null || source instanceof DomainSocketAddress unix && unix.path().isEmpty();
        if (unnamed && client instanceof EpollDomainSocketChannel unixClient) {
            String local = ProxyAddress.toString(client.localAddress());
            try {
                return "pid " + unixClient.peerCredentials().pid() + " on " + local;
            } catch (IOException e) {
                return "a client on " + local;
            }
        }
        return ProxyAddress.toString(source);
    }

    /**
     * The address the client connected to: from the PROXY header if there was one, else the channel's local address
     * (the proxy's listening address).
     */
    static SocketAddress destination(Channel client) {
        Addresses header = client.attr(FROM_PROXY_HEADER).get();
        return header != null ? header.destination : client.localAddress();
    }

    /** Records the addresses that the client's PROXY header carried. */
    static void setFromProxyHeader(Channel client, SocketAddress source, SocketAddress destination) {
        client.attr(FROM_PROXY_HEADER).set(new Addresses(source, destination));
    }

    private record Addresses(SocketAddress source, SocketAddress destination) {
    }
}

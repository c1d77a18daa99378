package dev.splicerelay.examples.proxy;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;

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

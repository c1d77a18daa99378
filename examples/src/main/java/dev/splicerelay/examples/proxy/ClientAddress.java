package dev.splicerelay.examples.proxy;

import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;

import java.io.IOException;
import java.net.SocketAddress;

/**
 * Who a client is, as the logs and the access log name it. Today that is the address of the client's channel; a
 * PROXY protocol header, where the client sent one, will name the real client here instead.
 */
final class ClientAddress {
    private ClientAddress() {
    }

    /**
     * The client's address; for a Unix socket client, which has none, the process at the other end and the socket it
     * connected to. On the client channel's event loop.
     */
    static String of(Channel client) {
        SocketAddress remote = client.remoteAddress();
        boolean unnamed = remote == null || remote instanceof DomainSocketAddress unix && unix.path().isEmpty();
        if (unnamed && client instanceof EpollDomainSocketChannel unixClient) {
            String local = ProxyAddress.toString(client.localAddress());
            try {
                return "pid " + unixClient.peerCredentials().pid() + " on " + local;
            } catch (IOException e) {
                return "a client on " + local;
            }
        }
        return ProxyAddress.toString(remote);
    }
}

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
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.socksx.v5.Socks5InitialRequestDecoder;
import io.netty.handler.codec.socksx.v5.Socks5ServerEncoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets up every accepted client: admits it under {@code --max-connections} (or closes it at once), tracks it for the
 * drain at shutdown, and installs the {@code --front}'s handlers; with {@code --accept-proxy}, only once the client's
 * PROXY protocol header is in (see {@link ProxyHeaderReader}). Once the front has connected the target, the
 * {@link TargetConnector} replaces them all with the relay.
 *
 * <p>Shared by all server channels; holds no per-connection state.
 */
final class FrontInitializer extends ChannelInitializer<Channel> {
    private static final Logger logger = LoggerFactory.getLogger(FrontInitializer.class);

    private final ProxyOptions options;
    private final TargetGroup targets;
    private final TargetConnector connector;
    private final ProxyStatus status;
    private final ProxyEvents events;
    private final ChannelGroup clients;

    /** @param targets the forward front's targets, or the connect and socks5 fronts' allowed ones */
    FrontInitializer(ProxyOptions options, TargetGroup targets, TargetConnector connector, ProxyStatus status,
                     ProxyEvents events, ChannelGroup clients) {
        this.options = options;
        this.targets = targets;
        this.connector = connector;
        this.status = status;
        this.events = events;
        this.clients = clients;
    }

    @Override
    protected void initChannel(Channel client) {
        if (!status.tryAdmit()) {
            logger.debug("{}: refused, --max-connections are open", client);
            events.connectionRefused(Refusal.MAX_CONNECTIONS);
            client.close();
            return;
        }
        events.connectionAccepted();
        client.closeFuture().addListener(f -> status.connectionClosed());
        clients.add(client);
        ChannelPipeline pipeline = client.pipeline();
        if (options.acceptProxy()) {
            pipeline.addLast(ProxyHeaderReader.newDecoder(),
                    new ProxyHeaderReader(options.handshakeTimeout(), events, this::addFront));
        } else {
            addFront(pipeline);
        }
    }

    private void addFront(ChannelPipeline pipeline) {
        switch (options.front()) {
            case FORWARD -> pipeline.addLast(new ForwardFrontHandler(connector, targets));
            case CONNECT -> pipeline.addLast(new HttpConnectDecoder(),
                    new HttpConnectFrontHandler(connector, options.handshakeTimeout(), targets));
            case SOCKS5 -> pipeline.addLast(Socks5ServerEncoder.DEFAULT, new Socks5InitialRequestDecoder(),
                    new Socks5FrontHandler(connector, options.handshakeTimeout(), targets));
        }
    }
}

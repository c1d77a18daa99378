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

import io.netty.channel.unix.DomainSocketAddress;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.util.Map;

/**
 * The options for running the proxy in production: {@code --metrics-listen}, {@code --access-log},
 * {@code --handover} and {@code --reuse-port}. Part of {@link ProxyOptions}, which checks the whole command line;
 * immutable.
 *
 * @param metricsListen where {@code GET /metrics} is served, or {@code null} for no metrics
 * @param accessLog     whether every ended relay is logged (see {@link AccessLog})
 * @param handover      the Unix socket through which the proxy takes over its predecessor's listening sockets and
 *                      hands them to its successor (see {@link HandoverServer}), or {@code null}
 * @param reusePort     whether the listening port may be shared with other processes ({@code SO_REUSEPORT})
 */
record OperationsOptions(InetSocketAddress metricsListen, boolean accessLog, Path handover, boolean reusePort) {
    static final String USAGE = String.join(System.lineSeparator(),
            "  --metrics-listen [HOST:]PORT    serve GET /metrics (Prometheus text format) there (a port alone",
            "                                  means 127.0.0.1; never on the relayed port)",
            "  --access-log                    log one INFO line per ended relay (key=value)",
            "  --handover PATH                 seamless reload (epoll): if a splice-proxy serves the Unix socket",
            "                                  PATH, take over its listening sockets, then tell it to stop",
            "                                  accepting and drain; either way serve PATH (mode 0600) for the next",
            "  --reuse-port                    let other processes of the same user listen on the port too",
            "                                  (SO_REUSEPORT); without it a port in use is an error");

    static OperationsOptions parse(Map<String, String> values, SocketAddress listen, Transport transport)
            throws UsageException {
        InetSocketAddress metricsListen = null;
        String metrics = values.get("--metrics-listen");
        if (metrics != null) {
            SocketAddress address = ProxyOptions.localAddress("--metrics-listen", metrics);
            if (!(address instanceof InetSocketAddress inet)) {
                throw new UsageException("--metrics-listen takes [HOST:]PORT, not a Unix socket");
            }
            if (address.equals(listen) && inet.getPort() != 0) {
                throw new UsageException("--metrics-listen must not be the relayed port " + metrics);
            }
            metricsListen = inet;
        }
        Path handover = null;
        String handoverPath = values.get("--handover");
        if (handoverPath != null) {
            if (transport != Transport.EPOLL) {
                throw new UsageException("--handover passes sockets between processes on the epoll transport only, "
                        + "not " + transport.cliName());
            }
            try {
                // Absolute, so that the length check holds for the path that is bound.
                handover = Path.of(new UnixPath(Path.of(handoverPath).toAbsolutePath().toString()).path());
            } catch (IllegalArgumentException e) {
                throw new UsageException("--handover: " + e.getMessage());
            }
        }
        boolean reusePort = values.containsKey("--reuse-port");
        if (reusePort && listen instanceof DomainSocketAddress) {
            throw new UsageException("--reuse-port is for TCP ports; a Unix socket path has one listener");
        }
        return new OperationsOptions(metricsListen, values.containsKey("--access-log"), handover, reusePort);
    }
}

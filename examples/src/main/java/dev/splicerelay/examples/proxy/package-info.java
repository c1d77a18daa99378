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
 * {@code splice-proxy}: a TCP and Unix domain socket proxy built on splice-relay's public API, runnable as
 * {@code java -jar splice-proxy.jar}.
 *
 * <p>{@link dev.splicerelay.examples.proxy.SpliceProxy} is the entry point. Each accepted client gets a front
 * ({@code ForwardFrontHandler}, {@code HttpConnectFrontHandler} or {@code Socks5FrontHandler}) that learns where it
 * wants to go; {@code TargetConnector} then connects the target and replaces the front with a
 * {@link dev.splicerelay.SpliceRelayHandler}, which splices on epoll and copies elsewhere. {@code ProxyServer} owns
 * the event loops and listening sockets; what happens to clients goes to {@code ProxyEvents}: {@code ProxyStatus}
 * (admission and the status line), {@code ProxyMetrics} ({@code --metrics-listen}, served by {@code MetricsServer})
 * and {@code AccessLog}. {@code HandoverServer} and {@code HandoverClient} pass the listening sockets from a running
 * proxy to its successor ({@code --handover}).
 *
 * <p>The targets, their balancing and health are {@code TargetGroup}, {@code Target} and {@code HealthChecks};
 * {@code TargetListener} hears their state changes. The PROXY protocol is {@code ProxyHeaderReader}
 * ({@code --accept-proxy}, which records the client's address in {@code ClientAddress}) and
 * {@code ProxyProtocolHeader} ({@code --send-proxy}).
 */
package dev.splicerelay.examples.proxy;

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

import java.util.Locale;

/** Why the proxy closed a client without relaying it, as {@code splice_proxy_connections_refused_total} counts it. */
enum Refusal {
    /** {@code --max-connections} clients were open already. */
    MAX_CONNECTIONS,
    /** The client asked for a target that {@code --allow} does not list. */
    ALLOW_LIST,
    /**
     * The client's CONNECT or SOCKS5 request was malformed, unsupported or too slow ({@code --handshake-timeout}).
     */
    HANDSHAKE,
    /** Every target the client could go to was down (see {@link Target}), so none was tried. */
    NO_TARGET,
    /**
     * With {@code --accept-proxy}: the client's PROXY protocol header was malformed, oversized or not complete within
     * {@code --handshake-timeout}.
     */
    PROXY_HEADER;

    /** The value of the metric's {@code reason} label. */
    String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}

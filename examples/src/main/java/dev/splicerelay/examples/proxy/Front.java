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

/**
 * How an accepted client tells the proxy where to connect: {@code --front} on the command line.
 */
enum Front {
    /** Nothing to tell: every connection goes to {@code --target}. */
    FORWARD,
    /** An HTTP/1.1 {@code CONNECT host:port} request, answered with {@code 200 Connection established}. */
    CONNECT,
    /** A SOCKS5 handshake (RFC 1928): no authentication, the {@code CONNECT} command only. */
    SOCKS5;

    String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }
}

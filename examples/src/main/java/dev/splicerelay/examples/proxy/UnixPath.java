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

import java.nio.charset.StandardCharsets;

/**
 * The path of a Unix domain socket, written {@code unix:PATH} on the command line; a relative path is relative to
 * the proxy's working directory. Unix domain sockets need the epoll transport.
 *
 * @param path the file system path, without the prefix
 */
record UnixPath(String path) implements ProxyAddress {
    static final String PREFIX = "unix:";
    /** {@code sizeof(sockaddr_un.sun_path)} on Linux, less the terminating NUL. */
    static final int MAX_PATH_BYTES = 107;

    UnixPath {
        if (path.isEmpty() || path.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("expected unix:PATH with a file path, got '" + PREFIX + path + "'");
        }
        if (path.getBytes(StandardCharsets.UTF_8).length > MAX_PATH_BYTES) {
            throw new IllegalArgumentException("a Unix socket path has at most " + MAX_PATH_BYTES + " bytes: '"
                    + path + "'");
        }
    }

    /** Parses {@code unix:PATH}. */
    static UnixPath parse(String text) {
        if (!text.startsWith(PREFIX)) {
            throw new IllegalArgumentException("expected unix:PATH, got '" + text + "'");
        }
        return new UnixPath(text.substring(PREFIX.length()));
    }

    @Override
    public DomainSocketAddress toSocketAddress() {
        return new DomainSocketAddress(path);
    }

    @Override
    public String toString() {
        return PREFIX + path;
    }
}

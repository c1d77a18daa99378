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
package dev.splicerelay.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * A port on 127.0.0.1 that refuses every connect, until {@link #close()}: it is held by a socket that is bound and
 * never listens, so the kernel answers a SYN to it with a reset, and no other socket can bind it meanwhile.
 *
 * <p>A port found free and closed again is not enough: the next {@code bind} to port 0, in the test's own fixture
 * or in another test JVM, may get it and accept the connect that was to be refused (seen on a relay that connected
 * to its own server socket).
 */
public final class RefusingPort implements AutoCloseable {
    private final Socket holder = new Socket();

    public RefusingPort() throws IOException {
        try {
            // Without SO_REUSEADDR, which would let a listener share the port.
            holder.setReuseAddress(false);
            holder.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        } catch (IOException e) {
            holder.close();
            throw e;
        }
    }

    public int port() {
        return holder.getLocalPort();
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port());
    }

    @Override
    public void close() throws IOException {
        holder.close();
    }
}

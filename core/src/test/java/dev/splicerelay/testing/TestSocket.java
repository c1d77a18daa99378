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

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.channels.SocketChannel;

/**
 * One end of a test connection, a blocking TCP or Unix domain socket that tests read and write as streams; one
 * thread may read while another writes. It owns the socket: {@link #close()} and {@link #abort()} close it.
 */
public interface TestSocket extends Closeable {
    InputStream in() throws IOException;

    OutputStream out() throws IOException;

    /** Ends this side's output: the other side reads end of stream after the bytes before it. */
    void shutdownOutput() throws IOException;

    /**
     * Closes abruptly. TCP sends a reset ({@code SO_LINGER} 0). A Unix domain socket has no such close: Linux
     * reports {@code ECONNRESET} to the other side when bytes are left unread here, end of stream otherwise.
     */
    void abort() throws IOException;

    /** The TCP socket, for tests that need more of its API than this; a Unix domain socket has none. */
    Socket socket();

    static TestSocket tcp(Socket socket) {
        return new TestSocket() {
            @Override
            public InputStream in() throws IOException {
                return socket.getInputStream();
            }

            @Override
            public OutputStream out() throws IOException {
                return socket.getOutputStream();
            }

            @Override
            public void shutdownOutput() throws IOException {
                socket.shutdownOutput();
            }

            @Override
            public void abort() throws IOException {
                socket.setSoLinger(true, 0);
                socket.close();
            }

            @Override
            public Socket socket() {
                return socket;
            }

            @Override
            public void close() throws IOException {
                socket.close();
            }

            @Override
            public String toString() {
                return socket.toString();
            }
        };
    }

    /**
     * A connected, blocking Unix domain {@code channel}, with {@link ChannelStreams}: not those of {@code Channels},
     * which lock the channel as a whole, so that a read would block a write on another thread.
     */
    static TestSocket unix(SocketChannel channel) {
        return new TestSocket() {
            @Override
            public InputStream in() {
                return ChannelStreams.in(channel);
            }

            @Override
            public OutputStream out() {
                return ChannelStreams.out(channel);
            }

            @Override
            public void shutdownOutput() throws IOException {
                channel.shutdownOutput();
            }

            @Override
            public void abort() throws IOException {
                channel.close();
            }

            @Override
            public Socket socket() {
                throw new UnsupportedOperationException("a Unix domain socket has no java.net.Socket: " + channel);
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }

            @Override
            public String toString() {
                return channel.toString();
            }
        };
    }
}

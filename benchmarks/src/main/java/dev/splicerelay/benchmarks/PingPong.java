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
package dev.splicerelay.benchmarks;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Arrays;

/**
 * A blocking client for 64-byte request/response exchanges with an echo server, checking every reply. Shared by the
 * latency and churn benchmarks and by {@link PingClient}.
 */
final class PingPong implements AutoCloseable {
    static final int MESSAGE_SIZE = 64;
    static final int TIMEOUT_MILLIS = 10_000;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final byte[] request = new byte[MESSAGE_SIZE];
    private final byte[] reply = new byte[MESSAGE_SIZE];
    private long sequence;

    PingPong(InetSocketAddress target) throws IOException {
        socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(TIMEOUT_MILLIS);
            socket.connect(target, TIMEOUT_MILLIS);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
        for (int i = 0; i < MESSAGE_SIZE; i++) {
            request[i] = (byte) (i * 31 + 7);
        }
    }

    /** Sends one message and reads its echo; throws if the echo is short or differs. Returns the sequence number. */
    long exchange() throws IOException {
        long seq = ++sequence;
        for (int i = 0; i < Long.BYTES; i++) {
            request[i] = (byte) (seq >>> (8 * i));
        }
        out.write(request);
        int got = 0;
        while (got < MESSAGE_SIZE) {
            int n = in.read(reply, got, MESSAGE_SIZE - got);
            if (n < 0) {
                throw new EOFException("connection ended after " + got + " of " + MESSAGE_SIZE + " echoed bytes");
            }
            got += n;
        }
        if (!Arrays.equals(request, reply)) {
            throw new IllegalStateException("echo differs from request " + seq);
        }
        return seq;
    }

    /** Sends FIN and waits for the other side's: a clean end that a relay reports as completed. */
    void finish() throws IOException {
        socket.shutdownOutput();
        int b = in.read();
        if (b != -1) {
            throw new IllegalStateException("unexpected byte after the last echo: " + b);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}

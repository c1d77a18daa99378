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

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The demo's backend: it reads each connection to its end, hashing what arrives with SHA-256, then answers with the
 * 32-byte digest and closes. Plain blocking sockets on threads of its own, so none of its work is counted as the
 * proxy's.
 */
final class DemoSink implements AutoCloseable {
    private static final Logger logger = LoggerFactory.getLogger(DemoSink.class);

    private final ServerSocket server;

    DemoSink() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "demo-sink");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    HostPort address() {
        return new HostPort(server.getInetAddress().getHostAddress(), server.getLocalPort());
    }

    @Override
    public void close() throws IOException {
        server.close();
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket connection = server.accept();
                Thread reader = new Thread(() -> hashAndAnswer(connection), "demo-sink-connection");
                reader.setDaemon(true);
                reader.start();
            } catch (IOException e) {
                // Closed: the demo is over.
            }
        }
    }

    private static void hashAndAnswer(Socket connection) {
        try (connection) {
            MessageDigest digest = sha256();
            InputStream in = connection.getInputStream();
            byte[] buffer = new byte[1 << 20];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                digest.update(buffer, 0, n);
            }
            connection.getOutputStream().write(digest.digest());
        } catch (IOException e) {
            logger.warn("demo sink: {}", e.toString());
        }
    }
}

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
package dev.splicerelay;

import dev.splicerelay.testing.RefusingPort;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.unix.NativeInetAddress;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Fails loudly when a Netty upgrade changes what {@link SpliceRelayServer} relies on in Netty's native sockets
 * ({@code LinuxSocket}, {@code NativeInetAddress}; docs: "Netty internals"): how {@code accept}, {@code connect},
 * {@code finishConnect}, {@code read} and {@code write} report EAGAIN, progress, refusal and end of stream, the
 * layout of the address {@code accept} fills, an accepted socket's {@code localAddress}, and {@code isReusePort} of a
 * socket wrapped from its descriptor, as an adopted listening socket is.
 */
@Timeout(30)
class RawSocketTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @BeforeEach
    void needsEpoll() {
        assumeTrue(Epoll.isAvailable(), "needs epoll");
    }

    @Test
    void acceptReportsAnEmptyQueueAsMinusOneAndFillsTheClientsAddress() throws Exception {
        LinuxSocket listener = listen();
        try (Socket client = new Socket()) {
            byte[] address = new byte[26];
            assertEquals(-1, listener.accept(address));
            client.connect(listener.localAddress());
            LinuxSocket accepted = LinuxSocket.newSocket(acceptOne(listener, address));
            accepted.close();
            assertEquals(client.getLocalSocketAddress(), NativeInetAddress.address(address, 1, address[0]));
        } finally {
            listener.close();
        }
    }

    @Test
    void anAcceptedSocketsLocalAddressIsTheOneItsClientConnectedTo() throws Exception {
        LinuxSocket listener = listen();
        try (Socket client = new Socket()) {
            client.connect(listener.localAddress());
            LinuxSocket accepted = LinuxSocket.newSocket(acceptOne(listener, new byte[26]));
            try {
                assertEquals(client.getRemoteSocketAddress(), accepted.localAddress());
            } finally {
                accepted.close();
            }
        } finally {
            listener.close();
        }
    }

    @Test
    void aListeningSocketSaysWhetherItSharesItsPort() throws Exception {
        LinuxSocket shared = LinuxSocket.newSocketStream(false);
        LinuxSocket alone = LinuxSocket.newSocketStream(false);
        try {
            shared.setReusePort(true);
            assertTrue(LinuxSocket.newSocket(shared.intValue()).isReusePort());
            assertFalse(LinuxSocket.newSocket(alone.intValue()).isReusePort());
        } finally {
            shared.close();
            alone.close();
        }
    }

    @Test
    void connectIsInProgressOrDoneAndFinishConnectSaysWhen() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, LOOPBACK)) {
            LinuxSocket socket = LinuxSocket.newSocketStream(false);
            try {
                boolean connected = socket.connect(new InetSocketAddress(LOOPBACK, server.getLocalPort()));
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (!connected && System.nanoTime() < deadline) {
                    connected = socket.finishConnect();
                }
                assertTrue(connected);
            } finally {
                socket.close();
            }
        }
    }

    @Test
    void aRefusedConnectThrowsAConnectException() throws Exception {
        LinuxSocket socket = LinuxSocket.newSocketStream(false);
        try (RefusingPort refusing = new RefusingPort()) {
            assertThrows(ConnectException.class, () -> {
                if (!socket.connect(refusing.address())) {
                    long deadline = System.nanoTime() + 5_000_000_000L;
                    while (!socket.finishConnect() && System.nanoTime() < deadline) {
                        Thread.onSpinWait();
                    }
                }
            });
        } finally {
            socket.close();
        }
    }

    @Test
    void readSaysZeroForNothingYetAndMinusOneAtTheEndOfStream() throws Exception {
        LinuxSocket listener = listen();
        try (Socket client = new Socket()) {
            client.connect(listener.localAddress());
            LinuxSocket accepted = LinuxSocket.newSocket(acceptOne(listener, new byte[26]));
            try {
                ByteBuffer buffer = ByteBuffer.allocateDirect(16);
                assertEquals(0, accepted.read(buffer, 0, 16));
                OutputStream out = client.getOutputStream();
                out.write(new byte[] {1, 2, 3});
                client.shutdownOutput();
                assertEquals(3, readSome(accepted, buffer));
                assertEquals(-1, accepted.read(buffer, 0, 16));
                assertEquals(3, accepted.write(buffer, 0, 3));
                byte[] echoed = new byte[3];
                InputStream in = client.getInputStream();
                assertEquals(3, in.readNBytes(echoed, 0, 3));
                assertArrayEquals(new byte[] {1, 2, 3}, echoed);
            } finally {
                accepted.close();
            }
        } finally {
            listener.close();
        }
    }

    private static LinuxSocket listen() throws IOException {
        LinuxSocket listener = LinuxSocket.newSocketStream(false);
        listener.bind(new InetSocketAddress(LOOPBACK, 0));
        listener.listen(8);
        return listener;
    }

    /** The accepted socket's fd, waiting for the client's connect to reach the queue. */
    private static int acceptOne(LinuxSocket listener, byte[] address) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        int fd;
        while ((fd = listener.accept(address)) < 0 && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertTrue(fd >= 0, "accepted nothing");
        return fd;
    }

    private static int readSome(LinuxSocket socket, ByteBuffer buffer) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        int n;
        while ((n = socket.read(buffer, 0, 16)) == 0 && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        return n;
    }
}

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

import io.netty.channel.epoll.Epoll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Nobody but the proxy's own user may take its listening sockets over {@code --handover PATH}: the socket file is
 * mode 0600, and even through a socket file opened to everyone, a peer of another uid ({@code SO_PEERCRED}) gets
 * nothing while the proxy keeps serving. The peer is the proxy itself, started with {@code setpriv} as
 * {@code nobody}, which needs root.
 */
@Timeout(120)
class HandoverSecurityIT {
    private static final List<String> AS_NOBODY = List.of("setpriv", "--reuid=65534", "--regid=65534",
            "--clear-groups", "--");

    private Path dir;
    private Path socket;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(Epoll.isAvailable(), "needs epoll: " + Epoll.unavailabilityCause());
        Process id = new ProcessBuilder("id", "-u").start();
        String uid = new String(id.getInputStream().readAllBytes()).trim();
        assumeTrue(uid.equals("0"), "switching to another uid (setpriv --reuid) needs root; this runs as uid " + uid);
        dir = Files.createTempDirectory("handover-security");
        // Others may reach the socket file, so that only its own mode and the uid check stand in their way.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        socket = dir.resolve("handover.sock");
    }

    @AfterEach
    void tearDown() throws IOException {
        if (dir != null) {
            Files.deleteIfExists(dir.resolve("handover.sock"));
            Files.deleteIfExists(dir);
        }
    }

    @Test
    void theSocketFileIsMode0600SoAnotherUserCannotEvenConnect() throws Exception {
        try (HashingBackend backend = new HashingBackend(new Payload(71, 100), Duration.ZERO);
             ProxyProcess proxy = ProxyProcess.start(HandoverIT.args(backend, "127.0.0.1:0", socket))) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
            try (ProxyProcess intruder = ProxyProcess.runWithPrefix(AS_NOBODY, Duration.ofSeconds(60),
                    HandoverIT.args(backend, "127.0.0.1:" + proxy.port(), socket))) {
                assertEquals(1, intruder.awaitExit(Duration.ofSeconds(60)), intruder.stderr());
                assertTrue(intruder.stderr().contains("handover failed: --handover " + socket
                        + ": cannot connect:"), intruder.stderr());
                assertTrue(intruder.stderr().contains("Permission denied"), intruder.stderr());
            }
            assertTrue(proxy.isAlive());
            HandoverIT.assertServes(proxy);
        }
    }

    @Test
    void aPeerOfAnotherUidGetsNothingEvenThroughAnOpenSocketFile() throws Exception {
        try (HashingBackend backend = new HashingBackend(new Payload(72, 100), Duration.ZERO);
             ProxyProcess proxy = ProxyProcess.start(HandoverIT.args(backend, "127.0.0.1:0", socket))) {
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
            try (ProxyProcess intruder = ProxyProcess.runWithPrefix(AS_NOBODY, Duration.ofSeconds(60),
                    HandoverIT.args(backend, "127.0.0.1:" + proxy.port(), socket))) {
                assertEquals(1, intruder.awaitExit(Duration.ofSeconds(60)), intruder.stderr());
                // The intruder checks the server's uid too, but the server refused first: it answered nothing.
                assertTrue(intruder.stderr().contains("handover failed: --handover " + socket), intruder.stderr());
                assertTrue(proxy.awaitStderr("handover: refused pid " + intruder.pid() + " with uid 65534: only uid 0 "
                        + "may take the listening sockets; still serving", Duration.ofSeconds(10)), proxy.stderr());
            }
            assertTrue(proxy.isAlive());
            HandoverIT.assertServes(proxy);
        }
    }
}

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

import io.netty.channel.epoll.LinuxSocket;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Counts this process's open file descriptors for leak checks, leaving out the idle pipes the own splice engine's
 * {@link PipePool}s keep on purpose (at most {@link PipePool#MAX_IDLE_PIPES} per event loop, closed with the loop;
 * {@code PipeLifecycleTest} checks that).
 */
final class OpenFds {
    private static final File FD_DIR = new File("/proc/self/fd");

    private OpenFds() {
    }

    /** Skips the test where {@code /proc/self/fd} is missing. */
    static void assumeCountable() {
        assumeTrue(FD_DIR.isDirectory(), "needs /proc/self/fd");
    }

    /** Every open fd, pooled pipes included. */
    static int all() {
        return Objects.requireNonNull(FD_DIR.list()).length;
    }

    /** Open fds that are an end of a pipe, pooled or not. */
    static int pipes() {
        int pipes = 0;
        for (String fd : Objects.requireNonNull(FD_DIR.list())) {
            try {
                if (Files.readSymbolicLink(FD_DIR.toPath().resolve(fd)).toString().startsWith("pipe:")) {
                    pipes++;
                }
            } catch (IOException closedMeanwhile) {
                // Not open any more: not counted.
            }
        }
        return pipes;
    }

    /**
     * The open TCP socket that {@code matches}, to read the options of a socket the code under test made; the test
     * must not close it. A socket without an address (a listening one, say) fails the predicate, never the search.
     *
     * @throws AssertionError if no socket matches
     */
    static LinuxSocket socket(String description, Predicate<LinuxSocket> matches) {
        for (String fd : Objects.requireNonNull(FD_DIR.list())) {
            try {
                if (Files.readSymbolicLink(FD_DIR.toPath().resolve(fd)).toString().startsWith("socket:")) {
                    LinuxSocket socket = LinuxSocket.newSocket(Integer.parseInt(fd));
                    if (matches.test(socket)) {
                        return socket;
                    }
                }
            } catch (IOException | RuntimeException closedMeanwhileOrNotTcp) {
                // Not a candidate.
            }
        }
        throw new AssertionError("no open socket is " + description);
    }

    /** Open fds other than the pipes idle in a pool. */
    static int exceptPooledPipes() {
        return all() - 2 * PipePool.idlePipes();
    }

    /** What {@code count} says once it is at most {@code limit}, or after 5 s; closes finish a little later. */
    static int awaitAtMost(int limit, IntSupplier count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        int open;
        while ((open = count.getAsInt()) > limit && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        return open;
    }
}

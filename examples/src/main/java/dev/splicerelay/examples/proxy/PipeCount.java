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

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * How many pipes this process holds both ends of, from {@code /proc/self/fd} (Linux): the splice engines' pipes, in
 * use or pooled. splice-relay keeps its pipes to itself, so the proxy counts them from the outside; a pipe of which
 * the process holds one end only, such as its standard output to a parent, is not one of them.
 *
 * <p>Reads one symbolic link per open file descriptor: for the metrics server's event loop, never for a relay loop.
 */
final class PipeCount {
    private static final Path FDS = Path.of("/proc/self/fd");

    private PipeCount() {
    }

    static boolean isSupported() {
        return Files.isDirectory(FDS);
    }

    /** The pipes, each counted once, whose read and write ends are both open in this process. */
    static long count() {
        Map<Path, Integer> ends = new HashMap<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(FDS)) {
            for (Path fd : fds) {
                try {
                    Path target = Files.readSymbolicLink(fd);
                    if (target.toString().startsWith("pipe:")) {
                        ends.merge(target, 1, Integer::sum);
                    }
                } catch (IOException e) {
                    // Closed since the directory was read: not open any more.
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ends.values().stream().filter(n -> n >= 2).count();
    }
}

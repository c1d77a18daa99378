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
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Makes way for a listening Unix domain socket at a path, safely: binding needs the path to be free, but a proxy that
 * was killed (rather than stopped, which deletes its socket file) leaves its socket file behind.
 *
 * <p>So an existing path is removed only if it is a stale socket: a socket file (not a link to one) on which nothing
 * accepts connections, as a connect attempt tells. Anything else is refused and left as it is: a regular file, a
 * directory, a link, a socket in use, and whatever cannot be probed. (A socket in use gets one connection from the
 * probe, closed at once. Between the probe and the bind another process could take the path; the bind then fails.)
 */
final class UnixSocketFile {
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private UnixSocketFile() {
    }

    /**
     * Removes {@code path} if it is a stale socket; does nothing if it does not exist.
     *
     * @throws IOException saying why {@code path} was left as it is, or why it could not be removed
     */
    static void removeIfStale(Path path) throws IOException {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return;
        }
        if (!isSocket(path, attributes)) {
            throw new IOException("the path exists and is " + kind(attributes) + ", not a socket; it was left as it is");
        }
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.configureBlocking(false);
            probe.connect(UnixDomainSocketAddress.of(path));
        } catch (ConnectException e) {
            // Connection refused: nothing listens on the socket any more.
            Files.deleteIfExists(path);
            return;
        } catch (IOException e) {
            throw new IOException("the path is a socket that cannot be probed (" + e.getMessage()
                    + "); it was left as it is", e);
        }
        throw new IOException("the path is a socket in use: something accepts connections on it");
    }

    private static boolean isSocket(Path path, BasicFileAttributes attributes) throws IOException {
        if (!attributes.isOther()) {
            return false;
        }
        try {
            int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return (mode & S_IFMT) == S_IFSOCK;
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }

    private static String kind(BasicFileAttributes attributes) {
        if (attributes.isRegularFile()) {
            return "a regular file";
        }
        if (attributes.isDirectory()) {
            return "a directory";
        }
        return attributes.isSymbolicLink() ? "a symbolic link" : "a special file";
    }
}

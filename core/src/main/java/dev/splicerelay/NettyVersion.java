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

import io.netty.util.Version;

import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Netty release number, as {@code major.minor.micro}, read from Netty's own version metadata
 * ({@link Version#identify()}); qualifiers such as {@code .Final} are ignored.
 */
final class NettyVersion implements Comparable<NettyVersion> {
    private static final Pattern RELEASE = Pattern.compile("(\\d+)\\.(\\d+)\\.(\\d+)");

    private final int[] parts;
    private final String text;

    private NettyVersion(int[] parts, String text) {
        this.parts = parts;
        this.text = text;
    }

    /** {@code text}'s release number, or {@code null} if it has none. */
    static NettyVersion parse(String text) {
        Matcher m = text == null ? null : RELEASE.matcher(text);
        if (m == null || !m.lookingAt()) {
            return null;
        }
        return new NettyVersion(new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                Integer.parseInt(m.group(3))}, text);
    }

    /**
     * The version of the {@code netty-transport} on the class path, or {@code null} where its metadata is missing
     * (a shaded or repackaged Netty).
     */
    static NettyVersion ofTransport() {
        Version version = Version.identify().get("netty-transport");
        return version == null ? null : parse(version.artifactVersion());
    }

    boolean isAtLeast(String other) {
        return compareTo(parse(other)) >= 0;
    }

    boolean isNewerThan(String other) {
        return compareTo(parse(other)) > 0;
    }

    /** Whether this release belongs to the line {@code major.minor}, such as 4.2. */
    boolean isLine(int major, int minor) {
        return parts[0] == major && parts[1] == minor;
    }

    @Override
    public int compareTo(NettyVersion other) {
        return Arrays.compare(parts, other.parts);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NettyVersion && Arrays.equals(parts, ((NettyVersion) o).parts);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(parts);
    }

    @Override
    public String toString() {
        return text;
    }
}

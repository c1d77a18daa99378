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

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The targets the {@code connect} and {@code socks5} fronts may open: an exact list of {@code HOST:PORT}s. An empty
 * list allows nothing, so a proxy started without {@code --allow} is never an open relay.
 *
 * <p>Matching is literal after {@link HostPort}'s canonical form: {@code 127.0.0.1:80} does not allow
 * {@code localhost:80}, and an allowed name is not re-checked after it resolves. Immutable, so any thread may use it.
 */
final class TargetAllowList {
    static final TargetAllowList NONE = new TargetAllowList(Set.of());

    private final Set<HostPort> allowed;

    private TargetAllowList(Set<HostPort> allowed) {
        this.allowed = allowed;
    }

    /**
     * Parses a comma-separated {@code HOST:PORT} list.
     *
     * @throws IllegalArgumentException naming the first entry that is not a {@code HOST:PORT} with a port above 0
     */
    static TargetAllowList parse(String list) {
        Set<HostPort> allowed = new LinkedHashSet<>();
        for (String entry : list.split(",", -1)) {
            HostPort target = HostPort.parse(entry.trim());
            if (target.port() == 0) {
                throw new IllegalArgumentException("port 0 cannot be a target: '" + entry + "'");
            }
            allowed.add(target);
        }
        return new TargetAllowList(Collections.unmodifiableSet(allowed));
    }

    /** The allowed targets, in the order given. */
    List<HostPort> targets() {
        return List.copyOf(allowed);
    }

    boolean isEmpty() {
        return allowed.isEmpty();
    }

    @Override
    public String toString() {
        return allowed.isEmpty() ? "nothing" : allowed.toString();
    }
}

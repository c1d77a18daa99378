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

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The handover protocol's lines and the offer in it. Over the Unix socket {@code --handover PATH}, with one line of
 * US-ASCII per message, ending in {@code \n}:
 *
 * <pre>
 * new: splice-proxy-handover 1 hello
 * old: splice-proxy-handover 1 offer pid=1234 sockets=listener,listener,handover,metrics listen=127.0.0.1:8000
 * new: send                      (or: abort REASON, if the listen addresses differ)
 * old: one file descriptor per socket, in that order, each with one byte (SCM_RIGHTS)
 * new: ready                     (it accepts on them now; or: abort REASON)
 * old: done                      (it has stopped accepting; it closes the connection and drains)
 * </pre>
 *
 * <p>The old proxy answers only a peer with its own uid (see {@link HandoverServer}); the new one checks the offer,
 * then the sockets themselves (see {@link HandoverClient}). Immutable.
 *
 * @param pid     the offering proxy's process id
 * @param listen  its {@code --listen} address as {@link ProxyAddress#toString(java.net.SocketAddress)} writes it
 * @param sockets the role of each socket it sends, in order
 */
record HandoverOffer(long pid, String listen, List<Role> sockets) {
    static final String HELLO = "splice-proxy-handover 1 hello";
    static final String OFFER = "splice-proxy-handover 1 offer";
    static final String SEND = "send";
    static final String READY = "ready";
    static final String DONE = "done";
    static final String ABORT = "abort";
    /** Longer lines are not the protocol's. */
    static final int MAX_LINE = 1024;

    /** What a handed-over socket is for. */
    enum Role {
        /** A listening socket of {@code --listen}. */
        LISTENER,
        /** The listening Unix socket of {@code --handover} itself. */
        HANDOVER,
        /** The listening socket of {@code --metrics-listen}. */
        METRICS;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    HandoverOffer {
        sockets = List.copyOf(sockets);
    }

    String line() {
        StringBuilder roles = new StringBuilder();
        for (Role role : sockets) {
            roles.append(roles.length() == 0 ? "" : ",").append(role.label());
        }
        // The address last: a Unix socket path may contain spaces.
        return OFFER + " pid=" + pid + " sockets=" + roles + " listen=" + listen;
    }

    /** Parses an offer line; returns {@code null} if {@code line} is none. */
    static HandoverOffer parse(String line) {
        if (!line.startsWith(OFFER + " ")) {
            return null;
        }
        String[] fields = line.substring(OFFER.length() + 1).split(" ", 3);
        if (fields.length != 3 || !fields[0].startsWith("pid=") || !fields[1].startsWith("sockets=")
                || !fields[2].startsWith("listen=")) {
            return null;
        }
        try {
            List<Role> roles = new ArrayList<>();
            for (String role : fields[1].substring("sockets=".length()).split(",")) {
                roles.add(Role.valueOf(role.toUpperCase(Locale.ROOT)));
            }
            return new HandoverOffer(Long.parseLong(fields[0].substring("pid=".length())),
                    fields[2].substring("listen=".length()), roles);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}

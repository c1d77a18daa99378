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

import java.util.List;
import java.util.Locale;

/**
 * How the forward front chooses among its targets: {@code --balance}. Only targets that are up are chosen; when a
 * connect fails, the client's next target is chosen the same way among those it has not tried.
 */
enum Balance {
    /** Each new client gets the next target that is up, in turn. */
    ROUNDROBIN {
        @Override
        int pick(List<Target> targets, boolean[] tried, int turn, int last) {
            if (last >= 0) {
                return firstUntriedUp(targets, tried, last + 1);
            }
            int up = 0;
            for (Target target : targets) {
                up += target.isUp() ? 1 : 0;
            }
            if (up == 0) {
                return -1;
            }
            int wanted = Math.floorMod(turn, up);
            for (int i = 0; ; i++) {
                if (targets.get(i).isUp() && wanted-- == 0) {
                    return i;
                }
            }
        }
    },
    /** The target with the fewest open relays (connects in progress included); ties in turn. */
    LEASTCONN {
        @Override
        int pick(List<Target> targets, boolean[] tried, int turn, int last) {
            int n = targets.size();
            int best = -1;
            int bestOpen = Integer.MAX_VALUE;
            for (int k = 0; k < n; k++) {
                int i = Math.floorMod(turn + k, n);
                Target target = targets.get(i);
                if (!tried[i] && target.isUp() && target.openRelays() < bestOpen) {
                    best = i;
                    bestOpen = target.openRelays();
                }
            }
            return best;
        }
    },
    /** The first target in the list that is up: the others are spares. */
    FIRST {
        @Override
        int pick(List<Target> targets, boolean[] tried, int turn, int last) {
            return firstUntriedUp(targets, tried, 0);
        }
    };

    /**
     * The index of the target to try next, or -1 if none is left.
     *
     * @param tried which targets this client has tried already
     * @param turn  this client's number among the group's clients
     * @param last  the index of the target this client tried last, or -1 before its first
     */
    abstract int pick(List<Target> targets, boolean[] tried, int turn, int last);

    String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The first target that is up and untried, going round from {@code from}. */
    private static int firstUntriedUp(List<Target> targets, boolean[] tried, int from) {
        int n = targets.size();
        for (int k = 0; k < n; k++) {
            int i = (from + k) % n;
            if (!tried[i] && targets.get(i).isUp()) {
                return i;
            }
        }
        return -1;
    }
}

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

/**
 * The targets one client may be connected to, in the order to try them: each target at most once, and only while it
 * is up. Made per client by {@link TargetGroup#choice()}, or for one named target by {@link #only}.
 *
 * <p>Threading: used on the client's event loop only.
 */
interface TargetChoice {
    /** The next target to try, or {@code null} if no untried target is up. */
    Target next();

    /** {@code target} alone, if it is up when asked. */
    static TargetChoice only(Target target) {
        return new TargetChoice() {
            private boolean tried;

            @Override
            public Target next() {
                if (tried || !target.isUp()) {
                    return null;
                }
                tried = true;
                return target;
            }
        };
    }
}

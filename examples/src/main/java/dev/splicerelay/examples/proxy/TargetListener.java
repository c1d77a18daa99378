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
 * Hears what happens to the targets of a {@link TargetGroup}: health transitions and failed connects. Add one with
 * {@link TargetGroup#addListener}, for metrics or logs of your own; the proxy already logs every transition.
 *
 * <p>Threading: called on the event loop where the event happened, any of the proxy's loops, and from several at
 * once: implementations must be thread-safe and must not block. A listener that throws is logged and ignored.
 */
interface TargetListener {
    /**
     * {@code target} went down ({@code up} false) or came back up; {@code reason} says why, in words for a log
     * ({@code "connection refused (3 checks in a row)"}, {@code "2 checks passed in a row"}).
     */
    default void stateChanged(Target target, boolean up, String reason) {
    }

    /**
     * A client's connect to {@code target} failed, for {@code reason} ({@code "connection refused"}); unless the
     * failure is the proxy's own ({@link ConnectFailure#blamesTarget()}), the target is marked down right after, and
     * the proxy may try another one.
     */
    default void connectFailed(Target target, ConnectFailure failure, String reason) {
    }
}

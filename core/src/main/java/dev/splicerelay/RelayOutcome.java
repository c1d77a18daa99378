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

/**
 * How a relay ended.
 */
public enum RelayOutcome {
    /** Both directions reached end of stream, every byte was written and both channels were closed. */
    COMPLETED,
    /** A side reset the connection (or its socket broke); the other side was reset in turn. */
    RESET,
    /**
     * No byte moved in either direction for the configured idle timeout; both sides were closed. A side for which the
     * relay still held bytes (a reader that paused longer than the timeout) was reset instead, so that it cannot take
     * what it got for the whole stream; {@link RelayStats#cause()} then says how many bytes were held.
     */
    IDLE_TIMEOUT,
    /** Anything else: a channel closed early, a write failed, a handler threw; both sides were reset. */
    ERROR
}

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

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What one relay did: exact byte counts each way, the mode it used and why, when it ran and how it ended.
 * "Inbound" is the channel the {@link SpliceRelayHandler} was added to, "peer" the channel it was given.
 */
public final class RelayStats {
    private final long bytesInboundToPeer;
    private final long bytesPeerToInbound;
    private final RelayMode mode;
    private final SpliceEngine spliceEngine;
    private final String modeReason;
    private final Instant started;
    private final Instant ended;
    private final RelayOutcome outcome;
    private final Throwable cause;

    RelayStats(long bytesInboundToPeer, long bytesPeerToInbound, RelayMode mode, SpliceEngine spliceEngine,
               String modeReason, Instant started, Instant ended, RelayOutcome outcome, Throwable cause) {
        this.bytesInboundToPeer = bytesInboundToPeer;
        this.bytesPeerToInbound = bytesPeerToInbound;
        this.mode = mode;
        this.spliceEngine = spliceEngine;
        this.modeReason = Objects.requireNonNull(modeReason, "modeReason");
        this.started = Objects.requireNonNull(started, "started");
        this.ended = Objects.requireNonNull(ended, "ended");
        this.outcome = Objects.requireNonNull(outcome, "outcome");
        this.cause = cause;
    }

    /** {@return the bytes read from the inbound channel and handed to the peer} */
    public long bytesInboundToPeer() {
        return bytesInboundToPeer;
    }

    /** {@return the bytes read from the peer and handed to the inbound channel} */
    public long bytesPeerToInbound() {
        return bytesPeerToInbound;
    }

    /** {@return the mode that ran: {@link RelayMode#SPLICE} or {@link RelayMode#COPY}, never {@link RelayMode#AUTO}} */
    public RelayMode mode() {
        return mode;
    }

    /**
     * {@return the engine that spliced: {@link SpliceEngine#IO_HANDLE} or {@link SpliceEngine#SPLICE_TO}, never
     * {@link SpliceEngine#AUTO}; empty when the relay copied}
     */
    public Optional<SpliceEngine> spliceEngine() {
        return Optional.ofNullable(spliceEngine);
    }

    /**
     * {@return why {@link #mode()} was chosen, for example which precondition of splicing did not hold; when
     * splicing, also which {@link SpliceEngine} ran ({@code "engine IO_HANDLE"} or {@code "engine SPLICE_TO"}) and why}
     */
    public String modeReason() {
        return modeReason;
    }

    /** {@return when the relay began: when its handler was added to the inbound channel} */
    public Instant started() {
        return started;
    }

    /** {@return when the relay ended} */
    public Instant ended() {
        return ended;
    }

    /** {@return the time from {@link #started()} to {@link #ended()}} */
    public Duration duration() {
        return Duration.between(started, ended);
    }

    /** {@return how the relay ended} */
    public RelayOutcome outcome() {
        return outcome;
    }

    /**
     * {@return the failure that ended the relay, for {@link RelayOutcome#RESET} and {@link RelayOutcome#ERROR}; for
     * {@link RelayOutcome#IDLE_TIMEOUT}, the bytes still held for a side that was therefore reset, if any}
     */
    public Optional<Throwable> cause() {
        return Optional.ofNullable(cause);
    }

    @Override
    public String toString() {
        return "RelayStats{" + outcome + ", " + mode + " (" + modeReason + "), inbound->peer " + bytesInboundToPeer
                + " B, peer->inbound " + bytesPeerToInbound + " B, " + duration().toMillis() + " ms"
                + (cause == null ? "" : ", cause " + cause) + '}';
    }
}

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

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Calls back once no byte has moved for a relay's idle timeout. Bytes moving only note the time; one scheduled check
 * at a time looks at it, so a busy relay costs no task per byte. Threading: the relay's event loop.
 */
final class IdleTimer {
    private final EventLoop loop;
    private final long timeoutNanos;
    private final Runnable onIdle;
    private long lastActivityNanos = System.nanoTime();
    private ScheduledFuture<?> check;

    /** {@code timeout} zero: never idle. */
    IdleTimer(EventLoop loop, Duration timeout, Runnable onIdle) {
        this.loop = loop;
        this.timeoutNanos = timeout.toNanos();
        this.onIdle = onIdle;
    }

    void start() {
        if (timeoutNanos > 0) {
            schedule(timeoutNanos);
        }
    }

    /** Bytes moved now. */
    void activity() {
        lastActivityNanos = System.nanoTime();
    }

    void cancel() {
        if (check != null) {
            check.cancel(false);
        }
    }

    /** Why an idle timeout reset a side, or {@code null} if the relay held no bytes for either. */
    static IOException heldBytes(long forInbound, long forPeer) {
        if (forInbound == 0 && forPeer == 0) {
            return null;
        }
        String inboundHeld = forInbound == 0 ? "" : forInbound + " bytes still held for the inbound channel";
        String peerHeld = forPeer == 0 ? "" : forPeer + " bytes still held for the peer";
        String held = inboundHeld.isEmpty() || peerHeld.isEmpty() ? inboundHeld + peerHeld
                : inboundHeld + " and " + peerHeld;
        return new IOException("the idle timeout ended the relay with " + held + ", which "
                + (forInbound > 0 && forPeer > 0 ? "were" : "was") + " reset");
    }

    private void schedule(long delayNanos) {
        check = loop.schedule(this::check, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void check() {
        long idleNanos = System.nanoTime() - lastActivityNanos;
        if (idleNanos >= timeoutNanos) {
            onIdle.run();
        } else {
            schedule(timeoutNanos - idleNanos);
        }
    }
}

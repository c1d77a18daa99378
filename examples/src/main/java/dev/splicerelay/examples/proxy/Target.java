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

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One target of a {@link TargetGroup}: where it is, whether it is up, and how many relays to it are open.
 *
 * <p>A target starts up. It goes down when a client's connect to it fails or when active health checks fail
 * {@code --check-fall} times in a row, and comes back up after {@code --check-rise} passed checks or, with checks off,
 * after {@code --fail-timeout}. Every transition is logged (DOWN at WARN, UP at INFO) and told to the group's
 * {@link TargetListener}s, once.
 *
 * <p>Threading: any thread may read it; the event loops change it, several at once, so its state is atomic.
 */
final class Target {
    private static final Logger logger = LoggerFactory.getLogger(Target.class);

    private final ProxyAddress address;
    private final List<TargetListener> listeners;
    private final AtomicBoolean up = new AtomicBoolean(true);
    private final AtomicInteger openRelays = new AtomicInteger();
    private final AtomicLong transitions = new AtomicLong();

    /** @param listeners the group's listeners, a thread-safe list that the group may add to later */
    Target(ProxyAddress address, List<TargetListener> listeners) {
        this.address = address;
        this.listeners = listeners;
    }

    /** Where the target is: {@code HOST:PORT} or {@code unix:PATH}, as written on the command line. */
    ProxyAddress address() {
        return address;
    }

    /** Whether the target gets clients: false from a failed connect or failed checks until it is back up. */
    boolean isUp() {
        return up.get();
    }

    /**
     * The client connections this target holds: relays running to it and connects to it in progress. {@code leastconn}
     * balances by it.
     */
    int openRelays() {
        return openRelays.get();
    }

    void relayOpened() {
        openRelays.incrementAndGet();
    }

    void relayClosed() {
        openRelays.decrementAndGet();
    }

    /** How many times the target changed state, so that a health check can tell that someone else changed it. */
    long transitions() {
        return transitions.get();
    }

    /** Marks the target down; returns whether it was up, in which case the change is logged and told. */
    boolean markDown(String reason) {
        return change(false, reason);
    }

    /** Marks the target up; returns whether it was down, in which case the change is logged and told. */
    boolean markUp(String reason) {
        return change(true, reason);
    }

    /** Tells the listeners of a client's failed connect; the caller marks the target down. */
    void connectFailed(ConnectFailure failure, String reason) {
        for (TargetListener listener : listeners) {
            try {
                listener.connectFailed(this, failure, reason);
            } catch (RuntimeException e) {
                logger.warn("a target listener failed on a connect failure of {}", address, e);
            }
        }
    }

    private boolean change(boolean nowUp, String reason) {
        if (!up.compareAndSet(!nowUp, nowUp)) {
            return false;
        }
        transitions.incrementAndGet();
        if (nowUp) {
            logger.info("target {} is UP: {}", address, reason);
        } else {
            logger.warn("target {} is DOWN: {}", address, reason);
        }
        for (TargetListener listener : listeners) {
            try {
                listener.stateChanged(this, nowUp, reason);
            } catch (RuntimeException e) {
                logger.warn("a target listener failed on a state change of {}", address, e);
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return address + (isUp() ? " (up, " : " (down, ") + openRelays() + " open)";
    }
}

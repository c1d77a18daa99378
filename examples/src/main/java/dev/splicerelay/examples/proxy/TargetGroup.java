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

import io.netty.util.concurrent.EventExecutor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The targets a front connects to, with their health: the forward front's {@code --target} list, balanced as
 * {@code --balance} says, or the {@code --allow} list of the connect and socks5 fronts, where each client names its
 * target. {@link #targets()} and {@link #addListener} are what other parts of the proxy (metrics, logs) read.
 *
 * <p>Passive health lives here: a client's failed connect marks its target down ({@link #connectFailed}), and without
 * active checks {@code --fail-timeout} later it is up again. Active checks are {@link HealthChecks}'.
 *
 * <p>Threading: shared by every event loop; the targets' state is atomic and the list of targets never changes.
 */
final class TargetGroup {
    private final List<Target> targets;
    private final Balance balance;
    private final HealthPolicy health;
    private final List<TargetListener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicInteger turns = new AtomicInteger();

    TargetGroup(List<? extends ProxyAddress> addresses, Balance balance, HealthPolicy health) {
        List<Target> list = new ArrayList<>();
        for (ProxyAddress address : addresses) {
            list.add(new Target(address, listeners));
        }
        this.targets = Collections.unmodifiableList(list);
        this.balance = balance;
        this.health = health;
    }

    /** The targets, in the order they were given. */
    List<Target> targets() {
        return targets;
    }

    Balance balance() {
        return balance;
    }

    HealthPolicy health() {
        return health;
    }

    /** Adds a listener for every target's state changes and failed connects, from now on. */
    void addListener(TargetListener listener) {
        listeners.add(listener);
    }

    /** The target at {@code address}, or {@code null} if it is not one of the group's. */
    Target find(ProxyAddress address) {
        for (Target target : targets) {
            if (target.address().equals(address)) {
                return target;
            }
        }
        return null;
    }

    /** The order in which one new client tries the targets, as {@code --balance} says. */
    TargetChoice choice() {
        int turn = balance == Balance.FIRST ? 0 : turns.getAndIncrement();
        boolean[] tried = new boolean[targets.size()];
        return new TargetChoice() {
            private int last = -1;

            @Override
            public Target next() {
                int index = balance.pick(targets, tried, turn, last);
                if (index < 0) {
                    return null;
                }
                tried[index] = true;
                last = index;
                return targets.get(index);
            }
        };
    }

    /**
     * A client's connect to {@code target} failed: tells the listeners and, if the failure is the target's (see
     * {@link ConnectFailure#blamesTarget()}), marks it down; without active checks, {@code --fail-timeout} later a task
     * on {@code loop} marks it up again.
     */
    void connectFailed(Target target, ConnectFailure failure, String reason, EventExecutor loop) {
        target.connectFailed(failure, reason);
        if (!failure.blamesTarget() || !target.markDown(reason + " (a client's connect)") || health.activeChecks()) {
            return;
        }
        try {
            loop.schedule(() -> {
                target.markUp("--fail-timeout " + health.failTimeout().toMillis() + " ms passed");
            }, health.failTimeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException stopping) {
            // The proxy is stopping: nobody will connect to the target again.
        }
    }

    @Override
    public String toString() {
        return targets.toString();
    }
}

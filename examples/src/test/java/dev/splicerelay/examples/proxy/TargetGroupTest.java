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

import io.netty.util.concurrent.DefaultEventExecutor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How a {@link TargetGroup} picks targets under each {@link Balance}, and how it keeps their health. */
@Timeout(10)
class TargetGroupTest {
    private static final List<ProxyAddress> THREE = List.of(HostPort.parse("127.0.0.1:9001"),
            HostPort.parse("127.0.0.1:9002"), HostPort.parse("127.0.0.1:9003"));

    @Test
    void roundRobinGivesEachTargetThatIsUpItsTurn() {
        TargetGroup group = new TargetGroup(THREE, Balance.ROUNDROBIN, HealthPolicy.DEFAULTS);
        assertEquals(List.of(100, 100, 100), firstPicks(group, 300));
        group.targets().get(1).markDown("test");
        assertEquals(List.of(150, 0, 150), firstPicks(group, 300));
    }

    @Test
    void aClientTriesTheTargetsThatAreUpInTurnEachOnce() {
        TargetGroup group = new TargetGroup(THREE, Balance.ROUNDROBIN, HealthPolicy.DEFAULTS);
        group.targets().get(0).markDown("test");
        group.choice();
        TargetChoice choice = group.choice();
        assertSame(group.targets().get(2), choice.next(), "the second client's turn among the two up");
        assertSame(group.targets().get(1), choice.next(), "then the next one that is up, round the list");
        assertNull(choice.next(), "each at most once");
    }

    @Test
    void leastconnPicksTheTargetWithTheFewestOpenRelays() {
        TargetGroup group = new TargetGroup(THREE, Balance.LEASTCONN, HealthPolicy.DEFAULTS);
        List<Target> targets = group.targets();
        targets.get(0).relayOpened();
        targets.get(0).relayOpened();
        targets.get(1).relayOpened();
        for (int i = 0; i < 5; i++) {
            assertSame(targets.get(2), group.choice().next());
        }
        targets.get(2).relayOpened();
        targets.get(2).relayOpened();
        TargetChoice choice = group.choice();
        assertSame(targets.get(1), choice.next());
        assertEquals(Set.of(targets.get(0), targets.get(2)), Set.of(choice.next(), choice.next()),
                "then the others, tied, in turn");
        assertNull(choice.next());
    }

    @Test
    void firstUsesTheFirstTargetThatIsUp() {
        TargetGroup group = new TargetGroup(THREE, Balance.FIRST, HealthPolicy.DEFAULTS);
        assertEquals(List.of(50, 0, 0), firstPicks(group, 50));
        group.targets().get(0).markDown("test");
        assertEquals(List.of(0, 50, 0), firstPicks(group, 50));
        group.targets().get(1).markDown("test");
        group.targets().get(2).markDown("test");
        assertNull(group.choice().next(), "every target is down");
    }

    @Test
    void aFailedConnectMarksTheTargetDownOnceAndFailTimeoutBringsItBack() throws Exception {
        HealthPolicy policy = new HealthPolicy(Duration.ZERO, 3, 2, Duration.ofMillis(100));
        TargetGroup group = new TargetGroup(THREE, Balance.ROUNDROBIN, policy);
        List<String> heard = new CopyOnWriteArrayList<>();
        group.addListener(new TargetListener() {
            @Override
            public void stateChanged(Target target, boolean up, String reason) {
                heard.add(target.address() + (up ? " up" : " down: " + reason));
            }

            @Override
            public void connectFailed(Target target, ConnectFailure failure, String reason) {
                heard.add(target.address() + " failed: " + reason);
            }
        });
        Target target = group.targets().get(0);
        DefaultEventExecutor loop = new DefaultEventExecutor();
        try {
            loop.submit(() -> {
                group.connectFailed(target, ConnectFailure.REFUSED, "connection refused", loop);
                group.connectFailed(target, ConnectFailure.REFUSED, "connection refused", loop);
            }).get(5, TimeUnit.SECONDS);
            assertFalse(target.isUp());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!target.isUp() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(target.isUp(), "--fail-timeout passed");
        } finally {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
        assertEquals(List.of("127.0.0.1:9001 failed: connection refused",
                "127.0.0.1:9001 down: connection refused (a client's connect)",
                "127.0.0.1:9001 failed: connection refused", "127.0.0.1:9001 up"), heard);
    }

    @Test
    void aFailureOfTheProxysOwnDoesNotMarkTheTargetDown() {
        TargetGroup group = new TargetGroup(THREE, Balance.ROUNDROBIN, HealthPolicy.DEFAULTS);
        Target target = group.targets().get(0);
        group.connectFailed(target, ConnectFailure.OTHER, "too many open files", null);
        assertTrue(target.isUp());
    }

    @Test
    void withActiveChecksAFailedConnectLeavesTheWayBackToTheChecks() {
        HealthPolicy policy = new HealthPolicy(Duration.ofSeconds(1), 3, 2, Duration.ofMillis(1));
        TargetGroup group = new TargetGroup(THREE, Balance.ROUNDROBIN, policy);
        Target target = group.targets().get(0);
        long before = target.transitions();
        group.connectFailed(target, ConnectFailure.TIMEOUT, "connect timed out", null);
        assertFalse(target.isUp());
        assertEquals(before + 1, target.transitions());
    }

    /** How many of {@code clients} new clients each target gets first. */
    private static List<Integer> firstPicks(TargetGroup group, int clients) {
        Map<Target, Integer> counts = new HashMap<>();
        for (int i = 0; i < clients; i++) {
            counts.merge(group.choice().next(), 1, Integer::sum);
        }
        List<Integer> perTarget = new ArrayList<>();
        for (Target target : group.targets()) {
            perTarget.add(counts.getOrDefault(target, 0));
        }
        return perTarget;
    }
}

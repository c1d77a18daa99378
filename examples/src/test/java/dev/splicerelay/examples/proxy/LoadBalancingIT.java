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

import dev.splicerelay.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The forward front with several targets, end to end: how each {@code --balance} spreads clients, and how a target
 * that dies is routed around without a client noticing, by passive health and by active checks.
 */
@Timeout(120)
class LoadBalancingIT {
    private static final int CONNECTIONS = 300;

    @Test
    void roundRobinSpreadsClientsEvenly() throws Exception {
        try (Targets targets = new Targets(3);
             ProxyProcess proxy = ProxyProcess.start("--listen", "127.0.0.1:0", "--target", targets.list(),
                     "--threads", "2")) {
            int[] reached = new int[3];
            for (int tag : connectAndLeave(proxy, CONNECTIONS)) {
                reached[tag]++;
            }
            for (int i = 0; i < 3; i++) {
                assertTrue(Math.abs(reached[i] - CONNECTIONS / 3) <= 1, Arrays.toString(reached));
                assertEquals(reached[i], targets.get(i).accepted(), "the proxy connected each client once");
            }
        }
    }

    @Test
    void leastconnSendsNewClientsToTheTargetWithTheFewestOpenRelays() throws Exception {
        try (Targets targets = new Targets(3);
             ProxyProcess proxy = ProxyProcess.start("--listen", "127.0.0.1:0", "--target", targets.list(),
                     "--balance", "leastconn")) {
            List<TaggedBackend.Client> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 6; i++) {
                    clients.add(TaggedBackend.connect(proxy.port()));
                }
                int[] open = new int[3];
                clients.forEach(client -> open[client.tag()]++);
                assertEquals("[2, 2, 2]", Arrays.toString(open), "ties go in turn");
                // The clients of target 1 leave; once their relays have ended, target 1 has the fewest open relays.
                for (TaggedBackend.Client client : clients) {
                    if (client.tag() == 1) {
                        client.close();
                    }
                }
                assertTrue(proxy.awaitStderr(Pattern.compile("(?s)(ended COMPLETED.*){2}"), Duration.ofSeconds(10)),
                        proxy.stderr());
                for (int i = 0; i < 2; i++) {
                    TaggedBackend.Client client = TaggedBackend.connect(proxy.port());
                    clients.add(client);
                    assertEquals(1, client.tag(), "a new client goes to the target with the fewest open relays");
                }
            } finally {
                for (TaggedBackend.Client client : clients) {
                    client.close();
                }
            }
        }
    }

    @Test
    void firstUsesTheFirstTargetUntilItIsDown() throws Exception {
        try (Targets targets = new Targets(3);
             ProxyProcess proxy = ProxyProcess.start("--listen", "127.0.0.1:0", "--target", targets.list(),
                     "--balance", "first")) {
            assertEquals(List.of(0), distinct(connectAndLeave(proxy, 30)));
            targets.get(0).stop();
            assertEquals(List.of(1), distinct(connectAndLeave(proxy, 30)), "no client failed, all went to target 1");
            assertTrue(proxy.stderr().contains("target " + targets.get(0).target() + " is DOWN: connection refused"),
                    proxy.stderr());
        }
    }

    @Test
    void aKilledTargetFailsNoClientAndGetsNoneUntilTheFailTimeoutHasPassed() throws Exception {
        try (Targets targets = new Targets(3);
             ProxyProcess proxy = ProxyProcess.start("--listen", "127.0.0.1:0", "--target", targets.list(),
                     "--fail-timeout", "1m")) {
            targets.get(1).stop();
            String failed = "cannot connect to " + targets.get(1).target();
            assertEquals(List.of(0, 2), distinct(connectAndLeave(proxy, 60)), "every client reached a target");
            // The clients whose connect to target 1 failed (those that chose it before the first failure marked it
            // down) were connected to the next target; after that, target 1 is not tried again.
            int failures = count(proxy.stderr(), failed);
            assertTrue(failures >= 1, proxy.stderr());
            assertEquals(List.of(0, 2), distinct(connectAndLeave(proxy, 60)), "every client reached a target");
            assertEquals(failures, count(proxy.stderr(), failed), proxy.stderr());
        }
    }

    @Test
    void withEveryTargetDownTheForwardFrontClosesNewClientsAtOnce() throws Exception {
        try (Targets targets = new Targets(2);
             ProxyProcess proxy = ProxyProcess.start("--listen", "127.0.0.1:0", "--target", targets.list(),
                     "--fail-timeout", "1m")) {
            targets.get(0).stop();
            targets.get(1).stop();
            try (TaggedBackend.Client first = TaggedBackend.connect(proxy.port())) {
                assertEquals(-1, first.tag(), "closed once both targets refused");
            }
            // The close reaches the client before the proxy's stderr reaches this test through its pipe.
            Await.until(Duration.ofSeconds(5), () -> count(proxy.stderr(), "cannot connect to ") >= 2,
                    "both targets' failed connects logged");
            assertEquals(2, count(proxy.stderr(), "cannot connect to "), proxy.stderr());
            try (TaggedBackend.Client next = TaggedBackend.connect(proxy.port())) {
                assertEquals(-1, next.tag(), "closed");
            }
            assertTrue(proxy.awaitStderr("no target is up", Duration.ofSeconds(10)), proxy.stderr());
            assertEquals(2, count(proxy.stderr(), "cannot connect to "), "no connect was tried: " + proxy.stderr());
        }
    }

    @Test
    void activeChecksMarkAKilledTargetDownAndUpAgainWhenItReturns() throws Exception {
        long intervalMillis = 200;
        int fall = 3;
        try (Targets targets = new Targets(2);
             ProxyProcess proxy = ProxyProcess.start("--listen", "127.0.0.1:0", "--target", targets.list(),
                     "--check-interval", intervalMillis + "ms", "--check-fall", String.valueOf(fall),
                     "--check-rise", "2")) {
            String down = "target " + targets.get(1).target() + " is DOWN: connection refused (3 checks in a row)";
            long killedAt = System.nanoTime();
            targets.get(1).stop();
            assertTrue(proxy.awaitStderr(down, Duration.ofSeconds(10)), proxy.stderr());
            long millis = (System.nanoTime() - killedAt) / 1_000_000;
            // Three failed checks at most one interval apart; the slack is for two busy cores.
            assertTrue(millis < intervalMillis * fall + 1500, "marked down " + millis + " ms after the kill");
            assertEquals(List.of(0), distinct(connectAndLeave(proxy, 20)), "the down target gets no client");

            targets.get(1).restart();
            assertTrue(proxy.awaitStderr("target " + targets.get(1).target() + " is UP: 2 checks passed in a row",
                    Duration.ofSeconds(10)), proxy.stderr());
            assertEquals(List.of(0, 1), distinct(connectAndLeave(proxy, 20)), "round robin over both again");
            assertEquals(0, count(proxy.stderr(), "cannot connect"), "no client's connect failed: " + proxy.stderr());
        }
    }

    /**
     * Connects {@code n} clients, 8 at a time; each reads the tag of the target it reached and leaves. Fails if the
     * proxy closed any client without a target.
     */
    private static List<Integer> connectAndLeave(ProxyProcess proxy, int n) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> tags = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                tags.add(pool.submit(() -> {
                    try (TaggedBackend.Client client = TaggedBackend.connect(proxy.port())) {
                        return client.tag();
                    }
                }));
            }
            List<Integer> reached = new ArrayList<>();
            for (Future<Integer> tag : tags) {
                int value = tag.get();
                assertTrue(value >= 0, "the proxy closed a client: " + proxy.stderr());
                reached.add(value);
            }
            return reached;
        } finally {
            pool.shutdownNow();
        }
    }

    private static List<Integer> distinct(List<Integer> tags) {
        return tags.stream().distinct().sorted().toList();
    }

    private static int count(String text, String part) {
        Matcher matcher = Pattern.compile(Pattern.quote(part)).matcher(text);
        int n = 0;
        while (matcher.find()) {
            n++;
        }
        return n;
    }

    /** {@code n} tagged targets, tagged 0 to n-1. */
    private static final class Targets implements AutoCloseable {
        private final List<TaggedBackend> backends = new ArrayList<>();

        Targets(int n) throws Exception {
            for (int i = 0; i < n; i++) {
                backends.add(new TaggedBackend(i));
            }
        }

        TaggedBackend get(int i) {
            return backends.get(i);
        }

        /** The targets as {@code --target} lists them. */
        String list() {
            return String.join(",", backends.stream().map(TaggedBackend::target).toList());
        }

        @Override
        public void close() throws Exception {
            for (TaggedBackend backend : backends) {
                backend.close();
            }
        }
    }
}

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

import dev.splicerelay.testing.Streams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

import static dev.splicerelay.examples.proxy.FuzzBytes.concat;
import static dev.splicerelay.examples.proxy.FuzzBytes.random;
import static dev.splicerelay.examples.proxy.FuzzBytes.size;
import static dev.splicerelay.examples.proxy.FuzzHarness.CLOSE_LIMIT;
import static dev.splicerelay.examples.proxy.FuzzHarness.HANDSHAKE_TIMEOUT;
import static dev.splicerelay.examples.proxy.FuzzHarness.SEED;
import static dev.splicerelay.examples.proxy.FuzzHarness.answered;
import static dev.splicerelay.examples.proxy.FuzzHarness.assertAllPassed;
import static dev.splicerelay.examples.proxy.FuzzHarness.await;
import static dev.splicerelay.examples.proxy.FuzzHarness.seed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code connect} and {@code socks5} fronts under a seeded random fuzzer: for each, a few hundred malformed
 * handshakes (truncated, wrong versions and method counts, huge lengths, random bytes, valid prefixes followed by
 * garbage, oversize header lines, bad hosts and ports, CR/LF games, garbage pipelined behind a refused request; see
 * {@link FuzzedFront}), and valid handshakes with arbitrary bytes right behind them, from clients that stay or leave.
 * Each is written in one go, in pieces or one byte at a time (see {@link FuzzCase}), and followed by a half-close, by
 * nothing, by a close or by a reset.
 *
 * <p>The proxies run in this JVM, so that after each test {@link #proxyIsUnharmed} can look inside them: every
 * connection closed, nothing logged at WARN or ERROR (an exception that reached the tail of a pipeline, a leaked
 * buffer: the pom runs the tests with paranoid leak detection), file descriptors back to where they were, and a valid
 * request still relayed byte-exact.
 *
 * <p>The inputs come from {@code -Dfuzz.seed} (default {@value FuzzHarness#DEFAULT_SEED}), and every failure names the
 * seed, the case and its bytes in hex; only the port numbers in them differ from run to run.
 */
@Timeout(60)
class FrontFuzzTest {
    private static final int MALFORMED_CASES = 300;
    private static final int VALID_CASES = 40;
    private static final Payload TARGET_REPLY = new Payload(31, 4096);

    private static final Map<FuzzedFront, ProxyServer> proxies = new EnumMap<>(FuzzedFront.class);
    private static FuzzHarness harness;
    private static HashingBackend allowed;
    private static HashingBackend forbidden;
    private static FuzzedFront.Ports ports;
    private static byte[] targetReply;

    @BeforeAll
    static void start() throws Exception {
        System.out.println("FrontFuzzTest: seed " + SEED);
        harness = new FuzzHarness();
        allowed = new HashingBackend(TARGET_REPLY, Duration.ZERO);
        forbidden = new HashingBackend(TARGET_REPLY, Duration.ZERO);
        ports = new FuzzedFront.Ports(allowed.port(), forbidden.port());
        ByteArrayOutputStream reply = new ByteArrayOutputStream();
        TARGET_REPLY.writeTo(reply);
        targetReply = reply.toByteArray();
        for (FuzzedFront front : FuzzedFront.values()) {
            proxies.put(front, ProxyServer.start(ProxyOptions.parse(List.of("--listen", "127.0.0.1:0",
                    "--front", front.front.cliName(), "--allow", "localhost:" + allowed.port(),
                    "--handshake-timeout", HANDSHAKE_TIMEOUT.toMillis() + "ms", "--connect-timeout", "1s",
                    "--threads", "2", "--status-interval", "0"))));
            // A relay and a refusal before any descriptor count: the classes they load open their jars for good.
            assertNull(tunnelProblem(front, healthCheck(front)), front + " relays no valid request");
            byte[] refused = front.handshake("127.0.0.1", ports.forbidden());
            FuzzCase refusal = FuzzCase.inOneWrite("warm-up", "a refused target", refused);
            assertNull(malformedProblem(front, refusal), front + " does not refuse " + refusal);
        }
    }

    @AfterAll
    static void stop() throws IOException {
        for (ProxyServer proxy : proxies.values()) {
            proxy.stop(Duration.ZERO);
        }
        if (forbidden != null) {
            forbidden.close();
        }
        if (allowed != null) {
            allowed.close();
        }
        if (harness != null) {
            harness.close();
        }
    }

    @BeforeEach
    void countOpenFiles() {
        harness.countOpenFiles();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(FuzzedFront.class)
    void answersEveryMalformedHandshakeWithAnErrorOrACloseAndConnectsNothing(FuzzedFront front) throws Exception {
        int allowedAccepted = allowed.accepted();
        List<FuzzCase> cases = malformedCases(front);
        assertAllPassed(cases, harness.run(cases, c -> malformedProblem(front, c)));
        assertEquals(allowedAccepted, allowed.accepted(), "a malformed handshake reached the allowed target" + seed());
        assertEquals(0, forbidden.accepted(), "a malformed handshake reached a target not allowed" + seed());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(FuzzedFront.class)
    void relaysWhateverFollowsAValidHandshakeToTheAllowedTargetByteExact(FuzzedFront front) throws Exception {
        List<FuzzCase> cases = validCases(front, random -> FuzzCase.Ending.HALF_CLOSE);
        assertAllPassed(cases, harness.run(cases, c -> tunnelProblem(front, c)));
        assertEquals(0, forbidden.accepted(), "bytes behind a valid handshake reached a target not allowed" + seed());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(FuzzedFront.class)
    void closesBothSidesWhenTheClientLeavesRightAfterAValidHandshake(FuzzedFront front) throws Exception {
        // The client is gone while the target is still being connected, or just after: both must close all the same.
        List<FuzzCase> cases = validCases(front,
                random -> random.nextBoolean() ? FuzzCase.Ending.CLOSE : FuzzCase.Ending.RESET);
        assertAllPassed(cases, harness.run(cases, c -> {
            c.sendTo(port(front), CLOSE_LIMIT);
            return null;
        }));
        assertAllConnectionsClose(front);
        harness.assertOpenFilesBackToBefore();
    }

    /** What every test ends with: the proxies are as the test found them. */
    @AfterEach
    void proxyIsUnharmed() throws Exception {
        for (FuzzedFront front : FuzzedFront.values()) {
            assertAllConnectionsClose(front);
            assertNull(tunnelProblem(front, healthCheck(front)), front + " no longer relays a valid request" + seed());
        }
        harness.assertOpenFilesBackToBefore();
        harness.assertNoTrouble();
    }

    private static List<FuzzCase> malformedCases(FuzzedFront front) {
        SplittableRandom random = new SplittableRandom(SEED);
        List<FuzzedFront.Malformation> malformations = front.malformations();
        List<FuzzCase> cases = new ArrayList<>();
        for (int i = 0; i < MALFORMED_CASES; i++) {
            FuzzedFront.Malformation malformation = FuzzBytes.pick(random, malformations);
            byte[] bytes = malformation.generator().apply(random, ports);
            cases.add(FuzzCase.of(caseId(front, i), malformation.name(), bytes, FuzzCase.Ending.random(random),
                    random));
        }
        return cases;
    }

    /** Valid handshakes for the allowed target, each with bytes right behind it, ended as {@code ending} says. */
    private static List<FuzzCase> validCases(FuzzedFront front, Function<SplittableRandom, FuzzCase.Ending> ending) {
        SplittableRandom random = new SplittableRandom(SEED);
        byte[] handshake = front.handshake("localhost", ports.allowed());
        List<FuzzCase> cases = new ArrayList<>();
        for (int i = 0; i < VALID_CASES; i++) {
            // Bytes that look like another handshake, refused or not, are the tunnel's as much as any.
            byte[] data = random.nextInt(4) == 0
                    ? concat(front.handshake("127.0.0.1", ports.forbidden()), random(random, size(random, 4096)))
                    : random(random, size(random, 256 * 1024 + 1) - 1);
            cases.add(FuzzCase.of(caseId(front, i), "a valid handshake and " + data.length + " bytes",
                    concat(handshake, data), ending.apply(random), random));
        }
        return cases;
    }

    /** What is wrong with the proxy's handling of a malformed handshake, or {@code null}. */
    private static String malformedProblem(FuzzedFront front, FuzzCase c) throws Exception {
        FuzzCase.Outcome outcome = c.sendTo(port(front), CLOSE_LIMIT);
        if (!outcome.closed()) {
            return "still open " + CLOSE_LIMIT.toMillis() + " ms after connecting" + answered(outcome);
        }
        boolean sentInTime = outcome.writtenMillis() >= 0
                && outcome.writtenMillis() < HANDSHAKE_TIMEOUT.toMillis() / 2;
        String problem = c.ending().readsAnswer()
                ? front.rejectionProblem(c.bytes(), c.ending(), sentInTime, outcome.reply()) : null;
        return problem == null ? null : problem + answered(outcome);
    }

    /**
     * What is wrong with the proxy's handling of a valid handshake for the allowed target and the bytes behind it, or
     * {@code null}: the allowed target must get exactly those bytes (it answers with their SHA-256 after the client's
     * half-close), and the client exactly the target's reply.
     */
    private static String tunnelProblem(FuzzedFront front, FuzzCase c) throws Exception {
        FuzzCase.Outcome outcome = c.sendTo(port(front), CLOSE_LIMIT);
        byte[] reply = outcome.reply();
        int replyLength = front.successReplyLength(reply);
        if (replyLength < 0) {
            return "no success reply" + answered(outcome);
        }
        int handshakeLength = front.handshake("localhost", ports.allowed()).length;
        byte[] data = Arrays.copyOfRange(c.bytes(), handshakeLength, c.bytes().length);
        int digestEnd = replyLength + 32;
        if (reply.length < digestEnd
                || !Streams.sha256(data).equals(HexFormat.of().formatHex(reply, replyLength, digestEnd))) {
            return "the target did not get exactly the bytes behind the handshake" + answered(outcome);
        }
        if (!Arrays.equals(targetReply, Arrays.copyOfRange(reply, digestEnd, reply.length))) {
            return "the client did not get exactly the target's reply" + answered(outcome);
        }
        return outcome.closed() ? null : "still open " + CLOSE_LIMIT.toMillis() + " ms after connecting";
    }

    /** A valid handshake and 256 KiB, in one write. */
    private static FuzzCase healthCheck(FuzzedFront front) {
        byte[] bytes = concat(front.handshake("localhost", ports.allowed()),
                random(new SplittableRandom(SEED), 256 * 1024));
        return FuzzCase.inOneWrite("health check", "a valid handshake and 256 KiB", bytes);
    }

    private static void assertAllConnectionsClose(FuzzedFront front) throws InterruptedException {
        ProxyStatus status = proxies.get(front).status();
        assertTrue(await(() -> status.activeConnections() == 0),
                front + ": " + status.activeConnections() + " connections still open" + seed());
    }

    private static int port(FuzzedFront front) {
        return ((InetSocketAddress) proxies.get(front).localAddress()).getPort();
    }

    private static String caseId(FuzzedFront front, int index) {
        return "seed " + SEED + ", " + front + " case " + index;
    }
}

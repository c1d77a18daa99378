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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

import static dev.splicerelay.examples.proxy.FuzzBytes.concat;
import static dev.splicerelay.examples.proxy.FuzzBytes.latin1;
import static dev.splicerelay.examples.proxy.FuzzBytes.oneOf;
import static dev.splicerelay.examples.proxy.FuzzBytes.pick;
import static dev.splicerelay.examples.proxy.FuzzBytes.prefix;
import static dev.splicerelay.examples.proxy.FuzzBytes.random;
import static dev.splicerelay.examples.proxy.FuzzBytes.size;
import static dev.splicerelay.examples.proxy.FuzzHarness.CLOSE_LIMIT;
import static dev.splicerelay.examples.proxy.FuzzHarness.HANDSHAKE_TIMEOUT;
import static dev.splicerelay.examples.proxy.FuzzHarness.SEED;
import static dev.splicerelay.examples.proxy.FuzzHarness.answered;
import static dev.splicerelay.examples.proxy.FuzzHarness.assertAllPassed;
import static dev.splicerelay.examples.proxy.FuzzHarness.await;
import static dev.splicerelay.examples.proxy.FuzzHarness.seed;
import static dev.splicerelay.examples.proxy.ProxyProtocolHeaderTest.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --accept-proxy} under a seeded random fuzzer, as {@link FrontFuzzTest} does the fronts: 300 malformed PROXY
 * protocol headers, version 1 and 2 (truncated, wrong signatures, versions and commands, bad families, addresses,
 * ports and field counts, lengths too short for the family, oversized TLVs, lines too long or ended wrong, random
 * bytes, valid prefixes followed by garbage), written whole, in pieces or byte by byte and then half-closed, left
 * open, closed or reset. Each must be closed within the handshake timeout without a byte in answer and without
 * reaching the target. Valid headers of every kind (TCP4, TCP6, UNIX, UNKNOWN, LOCAL, with and without TLVs) with
 * arbitrary bytes behind them must reach the target byte-exact, without the header.
 *
 * <p>The proxy runs in this JVM; after each test every connection must be closed, file descriptors back where they
 * were, nothing logged at WARN or ERROR, and a valid header still relayed (see {@link FuzzHarness}).
 */
@Timeout(60)
class ProxyHeaderFuzzTest {
    private static final int MALFORMED_CASES = 300;
    private static final int VALID_CASES = 40;
    private static final Payload TARGET_REPLY = new Payload(71, 4096);
    private static final byte[] V2_SIGNATURE = bytes(0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54,
            0x0A);
    private static final int V2_PROXY = 0x21;
    private static final int V2_LOCAL = 0x20;
    /** Family bytes that are none of TCP4, UDP4, TCP6, UDP6, UNIX stream and datagram, or UNSPEC. */
    private static final int[] BAD_FAMILIES = {0x01, 0x02, 0x03, 0x10, 0x13, 0x20, 0x23, 0x30, 0x33, 0x41, 0xFF};
    /** Version and command bytes other than version 2 with PROXY or LOCAL. */
    private static final int[] BAD_VERSIONS = {0x00, 0x01, 0x10, 0x11, 0x12, 0x22, 0x2F, 0x31, 0xF1, 0xFF};
    private static final List<String> BAD_SIGNATURES = List.of("PROXZ", "proxy", "PROX", "XPROXY", "PR0XY", "PROXY:");
    private static final List<String> BAD_V1_FAMILIES = List.of("TCP5", "UDP4", "tcp4", "TCP", "UNIX", "TCP44", "");
    private static final List<String> BAD_V1_ADDRESSES = List.of("256.0.0.1", "1.2.3", "1.2.3.4.5", "localhost",
            "::1", "a.b.c.d", "", "1::2::3", ":::", "::g");
    private static final List<String> BAD_V1_PORTS = List.of("0", "65536", "-1", "99999999999", "abc", "0x50", "1e3",
            "");

    private static FuzzHarness harness;
    private static HashingBackend target;
    private static ProxyServer proxy;
    private static byte[] targetReply;

    @BeforeAll
    static void start() throws Exception {
        System.out.println("ProxyHeaderFuzzTest: seed " + SEED);
        harness = new FuzzHarness();
        target = new HashingBackend(TARGET_REPLY, Duration.ZERO);
        ByteArrayOutputStream reply = new ByteArrayOutputStream();
        TARGET_REPLY.writeTo(reply);
        targetReply = reply.toByteArray();
        proxy = ProxyServer.start(ProxyOptions.parse(List.of("--listen", "127.0.0.1:0", "--target", target.target(),
                "--accept-proxy", "--handshake-timeout", HANDSHAKE_TIMEOUT.toMillis() + "ms",
                "--connect-timeout", "1s", "--threads", "2", "--status-interval", "0")));
        // A relay and a refusal before any descriptor count: the classes they load open their jars for good.
        assertNull(relayProblem(healthCheck()), "no valid header relayed");
        assertNull(malformedProblem(FuzzCase.inOneWrite("warm-up", "random bytes", latin1("GET / HTTP/1.1\r\n\r\n"))));
    }

    @AfterAll
    static void stop() throws Exception {
        if (proxy != null) {
            proxy.stop(Duration.ZERO);
        }
        if (target != null) {
            target.close();
        }
        if (harness != null) {
            harness.close();
        }
    }

    @BeforeEach
    void countOpenFiles() {
        harness.countOpenFiles();
    }

    @Test
    void closesEveryMalformedHeaderWithoutAWordAndConnectsNothing() throws Exception {
        int accepted = target.accepted();
        SplittableRandom random = new SplittableRandom(SEED);
        List<Malformation> malformations = malformations();
        List<FuzzCase> cases = new ArrayList<>();
        for (int i = 0; i < MALFORMED_CASES; i++) {
            Malformation malformation = pick(random, malformations);
            cases.add(FuzzCase.of(caseId(i), malformation.name(), malformation.generator().apply(random),
                    FuzzCase.Ending.random(random), random));
        }
        assertAllPassed(cases, harness.run(cases, ProxyHeaderFuzzTest::malformedProblem));
        assertEquals(accepted, target.accepted(), "a malformed header reached the target" + seed());
    }

    @Test
    void relaysWhateverFollowsAValidHeaderByteExact() throws Exception {
        SplittableRandom random = new SplittableRandom(SEED);
        List<FuzzCase> cases = new ArrayList<>();
        for (int i = 0; i < VALID_CASES; i++) {
            byte[] header = validHeader(random);
            byte[] data = random(random, size(random, 256 * 1024 + 1) - 1);
            cases.add(FuzzCase.of(caseId(i), "a valid header of " + header.length + " bytes and " + data.length
                    + " bytes", concat(header, data), FuzzCase.Ending.HALF_CLOSE, random));
        }
        assertAllPassed(cases, harness.run(cases, ProxyHeaderFuzzTest::relayProblem));
    }

    @AfterEach
    void proxyIsUnharmed() throws Exception {
        ProxyStatus status = proxy.status();
        assertTrue(await(() -> status.activeConnections() == 0),
                status.activeConnections() + " connections still open" + seed());
        assertNull(relayProblem(healthCheck()), "the proxy no longer relays a valid header" + seed());
        harness.assertOpenFilesBackToBefore();
        harness.assertNoTrouble();
    }

    /** Nothing may come back from a forward front that closes a bad header: it has no protocol to answer in. */
    private static String malformedProblem(FuzzCase c) throws Exception {
        FuzzCase.Outcome outcome = c.sendTo(port(), CLOSE_LIMIT);
        if (!outcome.closed()) {
            return "still open " + CLOSE_LIMIT.toMillis() + " ms after connecting" + answered(outcome);
        }
        return outcome.reply().length == 0 ? null : "answered" + answered(outcome);
    }

    /** The target must get exactly the bytes behind the header, and the client exactly the target's reply. */
    private static String relayProblem(FuzzCase c) throws Exception {
        FuzzCase.Outcome outcome = c.sendTo(port(), CLOSE_LIMIT);
        byte[] reply = outcome.reply();
        byte[] data = Arrays.copyOfRange(c.bytes(), headerLength(c.bytes()), c.bytes().length);
        if (reply.length < 32 || !Streams.sha256(data).equals(HexFormat.of().formatHex(reply, 0, 32))) {
            return "the target did not get exactly the bytes behind the header" + answered(outcome);
        }
        if (!Arrays.equals(targetReply, Arrays.copyOfRange(reply, 32, reply.length))) {
            return "the client did not get exactly the target's reply" + answered(outcome);
        }
        return outcome.closed() ? null : "still open " + CLOSE_LIMIT.toMillis() + " ms after connecting";
    }

    private static FuzzCase healthCheck() {
        byte[] bytes = concat(v1("PROXY TCP4", "192.0.2.1", "198.51.100.1", "50000", "443"),
                random(new SplittableRandom(SEED), 256 * 1024));
        return FuzzCase.inOneWrite("health check", "a valid header and 256 KiB", bytes);
    }

    /** The length of the valid header that {@code bytes} start with, by its framing. */
    private static int headerLength(byte[] bytes) {
        if (bytes[0] != V2_SIGNATURE[0]) {
            int i = 0;
            while (!(bytes[i] == '\r' && bytes[i + 1] == '\n')) {
                i++;
            }
            return i + 2;
        }
        return 16 + ((bytes[14] & 0xFF) << 8 | (bytes[15] & 0xFF));
    }

    private static byte[] validHeader(SplittableRandom r) {
        return switch (r.nextInt(8)) {
            case 0, 1 -> validV1(r);
            case 2 -> latin1("PROXY UNKNOWN\r\n");
            case 3 -> v2(V2_PROXY, 0x11, concat(random(r, 12), tlvs(r)));
            case 4 -> v2(V2_PROXY, 0x21, concat(random(r, 36), tlvs(r)));
            case 5 -> v2(V2_PROXY, 0x31, concat(unixPath(r), unixPath(r), tlvs(r)));
            case 6 -> v2(V2_PROXY, 0x00, new byte[0]);
            default -> v2(V2_LOCAL, 0x00, new byte[0]);
        };
    }

    private static List<Malformation> malformations() {
        return List.of(
                new Malformation("truncated version 1", r -> prefix(r, validV1(r))),
                new Malformation("truncated version 2", r -> prefix(r, v2(V2_PROXY, 0x11, random(r, 12)))),
                new Malformation("wrong version 1 signature", r -> v1(pick(r, BAD_SIGNATURES) + " TCP4", ipv4(r),
                        ipv4(r), port(r), port(r))),
                new Malformation("wrong version 2 signature", r -> {
                    byte[] header = v2(V2_PROXY, 0x11, random(r, 12));
                    int at = r.nextInt(V2_SIGNATURE.length);
                    header[at] = (byte) (header[at] + 1 + r.nextInt(255));
                    return header;
                }),
                new Malformation("bad version 1 family", r -> v1("PROXY " + pick(r, BAD_V1_FAMILIES), ipv4(r),
                        ipv4(r), port(r), port(r))),
                new Malformation("bad version 1 address", r -> r.nextBoolean()
                        ? v1("PROXY TCP4", pick(r, BAD_V1_ADDRESSES), ipv4(r), port(r), port(r))
                        : v1("PROXY TCP6", ipv6(r), pick(r, BAD_V1_ADDRESSES), port(r), port(r))),
                new Malformation("bad version 1 port", r -> v1("PROXY TCP4", ipv4(r), ipv4(r), port(r),
                        pick(r, BAD_V1_PORTS))),
                new Malformation("version 1 fields missing or after the ports", r -> {
                    String line = "PROXY TCP4 " + ipv4(r) + " " + ipv4(r) + " " + port(r);
                    return latin1(r.nextBoolean() ? line + "\r\n"
                            : line + " " + port(r) + " " + pick(r, List.of("x", "1", "garbage", "-")) + "\r\n");
                }),
                new Malformation("version 1 line too long", r -> {
                    String padding = "1".repeat(100 + r.nextInt(200));
                    return latin1("PROXY TCP4 " + padding + (r.nextBoolean() ? "\r\n" : ""));
                }),
                new Malformation("version 1 line ended by LF alone", r -> {
                    byte[] line = validV1(r);
                    return concat(Arrays.copyOf(line, line.length - 2), latin1("\n"), noCr(random(r, size(r, 64))));
                }),
                new Malformation("bad version 2 version or command", r -> v2(oneOf(r, BAD_VERSIONS), 0x11,
                        random(r, 12))),
                new Malformation("bad version 2 family", r -> v2(V2_PROXY, oneOf(r, BAD_FAMILIES),
                        random(r, r.nextInt(64)))),
                new Malformation("version 2 addresses shorter than the family's", r -> {
                    int family = oneOf(r, 0x11, 0x12, 0x21, 0x22, 0x31, 0x32);
                    int needed = family >> 4 == 1 ? 12 : family >> 4 == 2 ? 36 : 216;
                    return v2(V2_PROXY, family, random(r, r.nextInt(needed)));
                }),
                new Malformation("version 2 TLVs over the limit", r -> {
                    int length = 216 + ProxyHeaderReader.MAX_TLV_BYTES + 1
                            + r.nextInt(65535 - 216 - ProxyHeaderReader.MAX_TLV_BYTES);
                    byte[] header = concat(V2_SIGNATURE, bytes(V2_PROXY, 0x11, length >> 8, length & 0xFF));
                    return concat(header, random(r, Math.min(length, size(r, 70_000))));
                }),
                new Malformation("random bytes", r -> random(r, size(r, r.nextInt(10) == 0 ? 65_536 : 200))),
                new Malformation("a valid version 1 prefix, then garbage without a line end", r -> {
                    byte[] line = validV1(r);
                    return concat(Arrays.copyOf(line, 1 + r.nextInt(line.length - 2)), noCr(random(r, size(r, 4096))));
                }),
                new Malformation("a valid version 2 prefix, then garbage", r -> {
                    int cut = 1 + r.nextInt(V2_SIGNATURE.length - 1);
                    byte[] garbage = random(r, size(r, 4096));
                    garbage[0] = (byte) (V2_SIGNATURE[cut] + 1 + r.nextInt(255));
                    return concat(Arrays.copyOf(V2_SIGNATURE, cut), garbage);
                }));
    }

    /** A version 1 header with every field valid, TCP4 or TCP6. */
    private static byte[] validV1(SplittableRandom r) {
        return r.nextBoolean() ? v1("PROXY TCP4", ipv4(r), ipv4(r), port(r), port(r))
                : v1("PROXY TCP6", ipv6(r), ipv6(r), port(r), port(r));
    }

    /** {@code START SRC DST SPORT DPORT\r\n}, where {@code START} is {@code PROXY FAMILY} or a wrong one. */
    private static byte[] v1(String start, String source, String destination, String sourcePort,
                             String destinationPort) {
        return latin1(start + " " + source + " " + destination + " " + sourcePort + " " + destinationPort + "\r\n");
    }

    /** A version 2 header: signature, version and command, family, the length of {@code addresses}, addresses. */
    private static byte[] v2(int versionAndCommand, int family, byte[] addresses) {
        return concat(V2_SIGNATURE, bytes(versionAndCommand, family, addresses.length >> 8, addresses.length & 0xFF),
                addresses);
    }

    /** Up to three well-formed TLVs of types the proxy does not know (0xE0 to 0xEF, custom). */
    private static byte[] tlvs(SplittableRandom r) {
        ByteArrayOutputStream tlvs = new ByteArrayOutputStream();
        for (int i = r.nextInt(4); i > 0; i--) {
            int length = r.nextInt(200);
            tlvs.writeBytes(bytes(0xE0 + r.nextInt(16), length >> 8, length & 0xFF));
            tlvs.writeBytes(random(r, length));
        }
        return tlvs.toByteArray();
    }

    private static byte[] unixPath(SplittableRandom r) {
        byte[] path = new byte[108];
        byte[] name = ("/run/" + Long.toHexString(r.nextLong()) + ".sock").getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(name, 0, path, 0, name.length);
        return path;
    }

    private static String ipv4(SplittableRandom r) {
        return r.nextInt(256) + "." + r.nextInt(256) + "." + r.nextInt(256) + "." + r.nextInt(256);
    }

    private static String ipv6(SplittableRandom r) {
        StringBuilder address = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            address.append(i == 0 ? "" : ":").append(Integer.toHexString(r.nextInt(65536)));
        }
        return address.toString();
    }

    private static String port(SplittableRandom r) {
        return String.valueOf(1 + r.nextInt(65535));
    }

    /** {@code bytes} with every CR made a space, so that no line ends in them. */
    private static byte[] noCr(byte[] bytes) {
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = bytes[i] == '\r' ? (byte) ' ' : bytes[i];
        }
        return bytes;
    }

    private static int port() {
        return ((InetSocketAddress) proxy.localAddress()).getPort();
    }

    private static String caseId(int index) {
        return "seed " + SEED + ", case " + index;
    }

    /** A way to get a header wrong, named for failure messages. */
    private record Malformation(String name, Function<SplittableRandom, byte[]> generator) {
    }
}

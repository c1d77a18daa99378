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

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.splicerelay.examples.proxy.FuzzBytes.concat;
import static dev.splicerelay.examples.proxy.FuzzBytes.latin1;
import static dev.splicerelay.examples.proxy.FuzzBytes.oneOf;
import static dev.splicerelay.examples.proxy.FuzzBytes.pick;
import static dev.splicerelay.examples.proxy.FuzzBytes.prefix;
import static dev.splicerelay.examples.proxy.FuzzBytes.random;
import static dev.splicerelay.examples.proxy.FuzzBytes.size;

/**
 * What the fuzzer knows of each front's protocol: the handshake that reaches a target, the replies a client may get,
 * and the ways to get a handshake wrong.
 *
 * <p>The proxy under test allows exactly one target, {@code localhost:}{@link Ports#allowed}. A malformed handshake
 * names it only with a command other than {@code CONNECT}; otherwise it names targets that the allow list must
 * refuse (the allowed port under another name, the {@link Ports#forbidden} port under any name), or none at all.
 * Their addresses are loopback ones, so that even a proxy that wrongly connected would reach no other host (and a
 * name meets the allow list before anything resolves it). Since no target that a malformed handshake names is ever
 * connected, a 502 or 504 (HTTP) or a 0x03 to 0x05 (SOCKS5), which only a failed connect gets, is a wrong answer.
 */
enum FuzzedFront {
    CONNECT(Front.CONNECT) {
        private static final byte[] ESTABLISHED = latin1("HTTP/1.1 200 Connection established\r\n\r\n");
        /** A status line, header lines, a blank line, and the body: the groups are the status, headers and body. */
        private static final Pattern RESPONSE = Pattern.compile(
                "HTTP/1\\.1 (\\d{3}) [^\\r\\n]+\\r\\n((?:[^\\r\\n]+\\r\\n)*)\\r\\n(.*)", Pattern.DOTALL);
        /** Malformed (400, 405, 431), forbidden (403) or too slow (408). */
        private static final Set<Integer> REJECTIONS = Set.of(400, 403, 405, 408, 431);
        private static final List<String> VERSIONS = List.of("HTTP/2.0", "HTTP/1.2", "HTTP/0.9", "http/1.1", "HTTP/1",
                "HTTP/1.1 ", "HTTP/1.10", "HTTP/11", "", "HTTP/1.1\u0000", "ICY", "HTTP/1.1 HTTP/1.1");
        private static final List<String> METHODS = List.of("GET", "POST", "connect", "Connect", "CONNEC", "CONNECTT",
                "PRI", "", "C\u0000NNECT", "CONNECT\t", "\u00c7ONNECT", "CONNECT:");
        /** With any port but the allowed one every one is malformed or refused, before anything resolves it. */
        private static final List<String> BAD_HOSTS = List.of("127.0.0.1", "localhost", "[::1]", "::1", "[::1", "::1]",
                "[]", "", "[fe80::1%eth0]", "[::1%lo]", "host name", "h\u00e9st", "x".repeat(254), "-", "*",
                "127.0.0.1:80", "%31%32%37.0.0.1", "[127.0.0.1]", "localhost\u0000", "local host", "[::1]]");
        private static final List<String> LINE_ENDINGS =
                List.of("\r\n", "\n", "\r", "\r\r\n", "\n\r", "\r\n\r", " \r\n", "\r \n", "\t\n", "\u0000\r\n");
        private static final List<String> HUGE_LENGTHS = List.of("Content-Length: 99999999999999999999999",
                "Content-Length: -1", "Content-Length: 2147483648", "Transfer-Encoding: chunked",
                "Content-Length: 0x7fffffff");

        @Override
        byte[] handshake(String host, int port) {
            return request(host + ":" + port);
        }

        @Override
        int successReplyLength(byte[] reply) {
            return startsWith(reply, ESTABLISHED) ? ESTABLISHED.length : -1;
        }

        @Override
        String rejectionProblem(byte[] input, FuzzCase.Ending ending, boolean sentInTime, byte[] reply) {
            if (reply.length == 0) {
                // Only a client that ends its side having sent nothing but the line breaks a request may start
                // with goes unanswered; a request left open is answered with 408.
                boolean answerDue = ending == FuzzCase.Ending.STAY_OPEN
                        || !new String(input, StandardCharsets.ISO_8859_1).matches("[\r\n]*");
                return answerDue ? "closed without an answer" : null;
            }
            Matcher response = RESPONSE.matcher(new String(reply, StandardCharsets.ISO_8859_1));
            if (!response.matches()) {
                return "the answer is not one HTTP/1.1 response";
            }
            int status = Integer.parseInt(response.group(1));
            String headers = response.group(2);
            if (!REJECTIONS.contains(status)) {
                return "status " + status + " is not one for a malformed request or a refused target";
            }
            String lines = "\n" + headers;
            if (!lines.contains("\nConnection: close\r\n")) {
                return "no Connection: close";
            }
            int bodyLength = response.group(3).length();
            return lines.contains("\nContent-Length: " + bodyLength + "\r\n") ? null
                    : "Content-Length is not the length of the body, " + bodyLength + " bytes";
        }

        @Override
        List<Malformation> malformations() {
            return List.of(
                    new Malformation("truncated", (r, ports) -> prefix(r, request(forbidden(r, ports)))),
                    new Malformation("wrong version", (r, ports) ->
                            latin1("CONNECT " + forbidden(r, ports) + " " + pick(r, VERSIONS) + "\r\n\r\n")),
                    new Malformation("wrong method", (r, ports) ->
                            latin1(pick(r, METHODS) + " " + forbidden(r, ports) + " HTTP/1.1\r\n\r\n")),
                    new Malformation("bad host or port", (r, ports) ->
                            latin1("CONNECT " + pick(r, BAD_HOSTS) + ":" + badPort(r, ports) + " HTTP/1.1\r\n\r\n")),
                    new Malformation("oversize header line", (r, ports) -> latin1(requestLine(forbidden(r, ports))
                            + "X-Big: " + "a".repeat(HttpConnectDecoder.MAX_HEAD_BYTES - 100 + r.nextInt(60_000))
                            + (r.nextBoolean() ? "\r\n\r\n" : ""))),
                    new Malformation("many header lines", (r, ports) -> latin1(requestLine(forbidden(r, ports))
                            + "X-Many: header\r\n".repeat(400 + r.nextInt(400)) + "\r\n")),
                    new Malformation("huge lengths", (r, ports) -> concat(latin1(requestLine(forbidden(r, ports))
                            + pick(r, HUGE_LENGTHS) + "\r\n\r\nffffffffffffffff\r\n"), random(r, size(r, 4096)))),
                    new Malformation("random bytes", (r, ports) -> random(r, size(r, 65_536))),
                    new Malformation("a valid prefix, then garbage", (r, ports) ->
                            concat(prefix(r, request(forbidden(r, ports))), random(r, size(r, 4096)))),
                    new Malformation("CR/LF games", (r, ports) -> lineBreakGames(r, ports)),
                    new Malformation("a control byte in the head", (r, ports) -> {
                        byte[] request = request(forbidden(r, ports));
                        int at = r.nextInt(request.length - 4);
                        byte[] inserted = {(byte) oneOf(r, 0, 1, 0x7f, 0x80, 0xff, '\t', '\r', '\n', ' ', ':')};
                        return concat(Arrays.copyOf(request, at), inserted,
                                Arrays.copyOfRange(request, at, request.length));
                    }),
                    new Malformation("garbage pipelined behind a refused request", (r, ports) ->
                            concat(request(forbidden(r, ports)), random(r, size(r, 65_536)))),
                    new Malformation("two requests in a row", (r, ports) ->
                            concat(request(forbidden(r, ports)), request(forbidden(r, ports)))));
        }

        /** A request for a refused target with its line breaks played with: swapped, doubled, bare, folded. */
        private static byte[] lineBreakGames(SplittableRandom r, Ports ports) {
            String target = forbidden(r, ports);
            List<String> lines = List.of("CONNECT " + target + " HTTP/1.1", "Host: " + target,
                    pick(r, List.of("X-A: b", " folded", "\tfolded", "X-A:\rb", "X-A: b\r", "", "\r")));
            StringBuilder head = new StringBuilder(r.nextInt(20) == 0 ? "\r\n".repeat(5000 + r.nextInt(10_000))
                    : "\r\n".repeat(r.nextInt(4)));
            for (String line : lines) {
                head.append(line).append(pick(r, LINE_ENDINGS));
            }
            return latin1(head.append(pick(r, LINE_ENDINGS)).toString());
        }

        /** A well-formed {@code CONNECT} request for a target the proxy must refuse. */
        private static String forbidden(SplittableRandom r, Ports ports) {
            return pick(r, List.of("127.0.0.1:" + ports.forbidden, "localhost:" + ports.forbidden,
                    "LOCALHOST.:" + ports.forbidden, "127.0.0.1:" + ports.allowed, "127.0.0.2:" + ports.allowed,
                    "[::1]:" + ports.allowed, "[::ffff:127.0.0.1]:" + ports.allowed));
        }

        /** Never the allowed port, which {@code localhost} from {@link #BAD_HOSTS} would make a valid target. */
        private static String badPort(SplittableRandom r, Ports ports) {
            return pick(r, List.of("", "0", "00000", "65536", "99999", "123456", "-1", "+" + ports.forbidden,
                    " " + ports.forbidden, ports.forbidden + " ", "0x50", "1e3", "\u00b980", "8\u00a00",
                    "0" + ports.forbidden, String.valueOf(ports.forbidden), "1"));
        }

        private static String requestLine(String target) {
            return "CONNECT " + target + " HTTP/1.1\r\n";
        }

        private static byte[] request(String target) {
            return latin1(requestLine(target) + "Host: " + target + "\r\n\r\n");
        }
    },

    SOCKS5(Front.SOCKS5) {
        private static final byte[] GREETING = {5, 1, 0};
        private static final byte[] NO_AUTH_CHOSEN = {5, 0};
        private static final byte[] NO_METHOD_ACCEPTABLE = {5, (byte) 0xFF};
        /** A method choice and one reply with an IPv4 address: 2 + 10 bytes. */
        private static final int REJECTION_LENGTH = 12;
        /** General failure, not allowed, command and address type not supported: the codes of a malformed request. */
        private static final Set<Integer> REJECTIONS = Set.of(0x01, 0x02, 0x07, 0x08);
        private static final int IPV4 = 1;
        private static final int DOMAIN = 3;
        private static final int IPV6 = 4;
        private static final byte[] LOCALHOST4 = {127, 0, 0, 1};
        private static final byte[] LOCALHOST6 = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
        private static final byte[] MAPPED_LOCALHOST4 =
                {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xFF, (byte) 0xFF, 127, 0, 0, 1};
        /** With the forbidden port every one is malformed or refused, before anything resolves it. */
        private static final List<String> BAD_NAMES = List.of("", "\u0000", "a b", "[::1]", "::1%lo", "localhost:80",
                "x".repeat(254), "\u00e9", "-", "localhost.", "LOCALHOST", "0:0:0:0:0:0:0:1%1", "127.0.0.1",
                "..", "%", "localhost\u0000");

        @Override
        byte[] handshake(String host, int port) {
            return concat(GREETING, request(1, DOMAIN, latin1(host), port));
        }

        @Override
        int successReplyLength(byte[] reply) {
            if (reply.length < 6 || !startsWith(reply, NO_AUTH_CHOSEN) || reply[2] != 5 || reply[3] != 0) {
                return -1;
            }
            return reply[5] == IPV4 ? 2 + 10 : reply[5] == IPV6 ? 2 + 22 : -1;
        }

        @Override
        String rejectionProblem(byte[] input, FuzzCase.Ending ending, boolean sentInTime, byte[] reply) {
            byte[] choice = methodChoice(input);
            if (choice == null) {
                return reply.length == 0 ? null
                        : "answered although the input starts with no complete SOCKS5 greeting offering a method";
            }
            if (!startsWith(reply, choice)) {
                return "the method choice is not " + FuzzBytes.hex(choice);
            }
            if (reply.length == choice.length) {
                boolean replyDue = choice == NO_AUTH_CHOSEN && sentInTime
                        && requestDecidable(input, 2 + (input[1] & 0xFF));
                return replyDue ? "no reply to a request that was complete, or wrong before its end" : null;
            }
            if (choice == NO_METHOD_ACCEPTABLE) {
                return "bytes after the 0xFF method choice";
            }
            if (reply.length != REJECTION_LENGTH || reply[2] != 5 || reply[4] != 0 || reply[5] != IPV4
                    || !Arrays.equals(reply, 6, REJECTION_LENGTH, new byte[6], 0, 6)) {
                return "not one reply (VER 5, RSV 0, the IPv4 address 0.0.0.0 and port 0) after the method choice";
            }
            int code = reply[3] & 0xFF;
            return REJECTIONS.contains(code) ? null
                    : "reply code " + code + " is not one for a malformed request or a refused target";
        }

        @Override
        List<Malformation> malformations() {
            return List.of(
                    new Malformation("truncated", (r, ports) -> prefix(r, concat(GREETING, forbidden(r, ports)))),
                    new Malformation("wrong version in the greeting", (r, ports) -> concat(
                            new byte[] {(byte) oneOf(r, 0, 4, 6, 'C', 'G', 'E', 0xFF), 1, 0},
                            r.nextBoolean() ? forbidden(r, ports) : new byte[0])),
                    new Malformation("wrong version in the request", (r, ports) -> {
                        byte[] request = forbidden(r, ports);
                        request[0] = (byte) oneOf(r, 0, 1, 4, 6, 0xFF);
                        return concat(GREETING, request);
                    }),
                    new Malformation("wrong method count", (r, ports) -> {
                        byte[] methods = random(r, r.nextInt(8));
                        int count = oneOf(r, 0, 255, methods.length + 1 + r.nextInt(10),
                                Math.max(0, methods.length - 1 - r.nextInt(4)));
                        return concat(new byte[] {5, (byte) count}, methods,
                                r.nextBoolean() ? forbidden(r, ports) : new byte[0]);
                    }),
                    new Malformation("no method without authentication", (r, ports) -> {
                        byte[] methods = random(r, 1 + r.nextInt(255));
                        for (int i = 0; i < methods.length; i++) {
                            methods[i] = methods[i] == 0 ? 2 : methods[i];
                        }
                        return concat(new byte[] {5, (byte) methods.length}, methods, forbidden(r, ports));
                    }),
                    new Malformation("a command other than CONNECT", (r, ports) -> {
                        int command = oneOf(r, 0, 2, 3, 4, 0x81, 0xFF, 2 + r.nextInt(254));
                        return concat(GREETING, r.nextBoolean()
                                ? request(command, DOMAIN, latin1("localhost"), ports.allowed)
                                : forbiddenWith(r, ports, command));
                    }),
                    new Malformation("unknown address type", (r, ports) -> concat(GREETING,
                            new byte[] {5, 1, 0, (byte) oneOf(r, 0, 2, 5, 6, 0x80, 0xFF, 5 + r.nextInt(251))},
                            random(r, r.nextInt(24)))),
                    new Malformation("name length and name disagree", (r, ports) -> {
                        byte[] name = r.nextBoolean() ? random(r, r.nextInt(256)) : latin1("a".repeat(r.nextInt(256)));
                        int length = r.nextBoolean() ? 255 : r.nextInt(256);
                        byte[] request = concat(new byte[] {5, 1, 0, DOMAIN, (byte) length}, name,
                                port(ports.forbidden));
                        return concat(GREETING, request);
                    }),
                    new Malformation("bad name or port", (r, ports) -> concat(GREETING, r.nextBoolean()
                            ? request(1, DOMAIN, latin1(pick(r, BAD_NAMES)), ports.forbidden)
                            : r.nextBoolean() ? request(1, IPV4, LOCALHOST4, 0)
                            : request(1, DOMAIN, latin1("localhost"), 0))),
                    new Malformation("reserved byte set", (r, ports) -> {
                        byte[] request = forbidden(r, ports);
                        request[2] = (byte) (1 + r.nextInt(255));
                        return concat(GREETING, request);
                    }),
                    new Malformation("random bytes", (r, ports) ->
                            random(r, size(r, r.nextInt(10) == 0 ? 65_536 : 64))),
                    new Malformation("a greeting, then random bytes", (r, ports) ->
                            concat(GREETING, random(r, size(r, 4096)))),
                    new Malformation("a valid prefix, then garbage", (r, ports) ->
                            concat(prefix(r, concat(GREETING, forbidden(r, ports))), random(r, size(r, 4096)))),
                    new Malformation("garbage pipelined behind a refused request", (r, ports) ->
                            concat(GREETING, forbidden(r, ports), random(r, size(r, 65_536)))),
                    new Malformation("two greetings", (r, ports) -> concat(GREETING, GREETING, forbidden(r, ports))));
        }

        /** The answer due to a greeting at the start of {@code input}, or {@code null} if none is due. */
        private static byte[] methodChoice(byte[] input) {
            int count = input.length < 2 ? 0 : input[1] & 0xFF;
            if (input.length < 2 + count || input[0] != 5 || count == 0) {
                // Incomplete, not SOCKS5 or offering nothing: the proxy closes without a word.
                return null;
            }
            for (int i = 2; i < 2 + count; i++) {
                if (input[i] == 0) {
                    return NO_AUTH_CHOSEN;
                }
            }
            return NO_METHOD_ACCEPTABLE;
        }

        /**
         * Whether {@code input} from {@code from} on holds a request that the proxy can answer: a complete one, or one
         * that it can tell wrong before its end, by a version other than 5 or an unknown address type.
         */
        private static boolean requestDecidable(byte[] input, int from) {
            int length = input.length - from;
            if (length < 1 || input[from] != 5) {
                return length >= 1;
            }
            if (length < 4) {
                return false;
            }
            int address = switch (input[from + 3]) {
                case IPV4 -> 4;
                case IPV6 -> 16;
                case DOMAIN -> length < 5 ? Integer.MAX_VALUE - 6 : 1 + (input[from + 4] & 0xFF);
                default -> -1;
            };
            return address < 0 || length >= 4 + address + 2;
        }

        /** A well-formed {@code CONNECT} request for a target the proxy must refuse. */
        private static byte[] forbidden(SplittableRandom r, Ports ports) {
            return forbiddenWith(r, ports, 1);
        }

        private static byte[] forbiddenWith(SplittableRandom r, Ports ports, int command) {
            return switch (r.nextInt(7)) {
                case 0 -> request(command, IPV4, LOCALHOST4, ports.forbidden);
                case 1 -> request(command, IPV4, LOCALHOST4, ports.allowed);
                case 2 -> request(command, IPV4, new byte[] {127, 0, 0, 2}, ports.allowed);
                case 3 -> request(command, DOMAIN, latin1("localhost"), ports.forbidden);
                case 4 -> request(command, DOMAIN, latin1("127.0.0.1"), ports.allowed);
                case 5 -> request(command, IPV6, LOCALHOST6, ports.allowed);
                default -> request(command, IPV6, MAPPED_LOCALHOST4, ports.forbidden);
            };
        }

        private static byte[] request(int command, int addressType, byte[] address, int port) {
            ByteArrayOutputStream request = new ByteArrayOutputStream();
            request.writeBytes(new byte[] {5, (byte) command, 0, (byte) addressType});
            if (addressType == DOMAIN) {
                request.write(address.length);
            }
            request.writeBytes(address);
            request.writeBytes(port(port));
            return request.toByteArray();
        }

        private static byte[] port(int port) {
            return new byte[] {(byte) (port >> 8), (byte) port};
        }
    };

    /** The backends' ports: {@code localhost:allowed} is the one target the proxy allows, {@code forbidden} none. */
    record Ports(int allowed, int forbidden) {
    }

    /** A way to get a handshake wrong, named for failure messages. */
    record Malformation(String name, BiFunction<SplittableRandom, Ports, byte[]> generator) {
    }

    final Front front;

    FuzzedFront(Front front) {
        this.front = front;
    }

    /** The complete handshake that asks for {@code host:port}. */
    abstract byte[] handshake(String host, int port);

    /** The length of the success reply that {@code reply} starts with, or -1 if it does not start with one. */
    abstract int successReplyLength(byte[] reply);

    /**
     * What is wrong with {@code reply}, all that the proxy sent before it closed, as the answer to a malformed
     * {@code input} that the client followed with {@code ending}; {@code null} if nothing. {@code sentInTime}: the
     * client wrote all of {@code input} well within {@code --handshake-timeout}, so that an answer to a request that
     * the input completes is due before the timeout closes the connection.
     */
    abstract String rejectionProblem(byte[] input, FuzzCase.Ending ending, boolean sentInTime, byte[] reply);

    abstract List<Malformation> malformations();

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        return bytes.length >= prefix.length && Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
    }
}

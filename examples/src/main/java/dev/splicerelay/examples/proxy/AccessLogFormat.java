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

import dev.splicerelay.RelayStats;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The line {@code --access-log} writes for an ended relay: {@code key=value} pairs separated by single spaces, always
 * the same keys in the same order:
 *
 * <pre>
 * time=2026-11-26T10:15:30.123Z client=127.0.0.1:52814 listen=127.0.0.1:8000 front=forward target=127.0.0.1:9000
 * mode=splice engine=io_handle bytes_to_target=1000 bytes_to_client=1032 duration_ms=12 outcome=completed cause=-
 * </pre>
 *
 * <ul>
 *   <li>{@code time}: when the relay ended, UTC, in milliseconds; {@code duration_ms}: how long it ran;</li>
 *   <li>{@code client}: the client's address ({@link ClientAddress}); {@code listen}: the proxy's address it
 *   connected to; {@code front}: {@code forward}, {@code connect} or {@code socks5}; {@code target}: where it was
 *   relayed to;</li>
 *   <li>{@code mode}: {@code splice} or {@code copy}; {@code engine}: {@code io_handle} or {@code splice_to} when it
 *   spliced, else {@code -};</li>
 *   <li>{@code bytes_to_target}, {@code bytes_to_client}: exact byte counts each way;</li>
 *   <li>{@code outcome}: {@code completed}, {@code reset}, {@code idle_timeout} or {@code error}; {@code cause}: the
 *   failure behind a {@code reset} or {@code error}, else {@code -}.</li>
 * </ul>
 *
 * <p>A value that is empty or contains a space, {@code "}, {@code =}, {@code \} or a control character is written in
 * double quotes, with {@code "} and {@code \} escaped by a backslash and control characters as {@code \n},
 * {@code \r}, {@code \t} or {@code \}{@code uXXXX}; every other value is written as it is. Stateless.
 */
final class AccessLogFormat {
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private AccessLogFormat() {
    }

    static String format(EndedRelay relay) {
        RelayStats stats = relay.stats();
        StringBuilder line = new StringBuilder(256);
        field(line, "time", TIME.format(stats.ended()));
        field(line, "client", relay.client());
        field(line, "listen", relay.listen());
        field(line, "front", relay.front().cliName());
        field(line, "target", relay.target().toString());
        field(line, "mode", lower(stats.mode()));
        field(line, "engine", stats.spliceEngine().map(AccessLogFormat::lower).orElse("-"));
        field(line, "bytes_to_target", Long.toString(stats.bytesInboundToPeer()));
        field(line, "bytes_to_client", Long.toString(stats.bytesPeerToInbound()));
        field(line, "duration_ms", Long.toString(stats.duration().toMillis()));
        field(line, "outcome", lower(stats.outcome()));
        field(line, "cause", stats.cause().map(AccessLogFormat::describe).orElse("-"));
        return line.toString();
    }

    private static void field(StringBuilder line, String key, String value) {
        if (line.length() > 0) {
            line.append(' ');
        }
        line.append(key).append('=').append(value(value));
    }

    /** {@code raw} as a value: as it is, or quoted and escaped (see above). */
    static String value(String raw) {
        if (!needsQuotes(raw)) {
            return raw;
        }
        String value = raw;
        StringBuilder line = new StringBuilder(value.length() + 8);
        line.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"', '\\' -> line.append('\\').append(c);
                case '\n' -> line.append("\\n");
                case '\r' -> line.append("\\r");
                case '\t' -> line.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        line.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        line.append(c);
                    }
                }
            }
        }
        line.append('"');
        return line.toString();
    }

    private static boolean needsQuotes(String value) {
        if (value.isEmpty()) {
            return true;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c == 0x7f) {
                return true;
            }
        }
        return false;
    }

    /** The cause's message, or its class's name if it has none. */
    private static String describe(Throwable cause) {
        String message = cause.getMessage();
        return message == null || message.isEmpty() ? cause.getClass().getName() : message;
    }

    private static String lower(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }
}

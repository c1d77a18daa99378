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

import java.time.Duration;
import java.util.Locale;

/**
 * Parses the values of command-line options: durations ({@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}; a bare
 * number is seconds), sizes ({@code 64k}, {@code 256m}, {@code 1g}; a bare number is bytes) and counts. Every
 * failure is a {@link UsageException} that names the option.
 */
final class OptionValues {
    private OptionValues() {
    }

    static Duration duration(String option, String text) throws UsageException {
        String lower = text.toLowerCase(Locale.ROOT);
        try {
            Duration duration = parseDuration(lower);
            if (!duration.isNegative()) {
                return duration;
            }
        } catch (NumberFormatException | ArithmeticException e) {
            // Reported below, with the same message as a negative duration.
        }
        throw new UsageException(option + " expects a duration such as 500ms, 10s or 2m, got '" + text + "'");
    }

    static long size(String option, String text) throws UsageException {
        String lower = text.toLowerCase(Locale.ROOT);
        int shift = lower.endsWith("k") ? 10 : lower.endsWith("m") ? 20 : lower.endsWith("g") ? 30 : 0;
        String digits = shift == 0 ? lower : lower.substring(0, lower.length() - 1);
        try {
            long value = Long.parseLong(digits);
            if (value > 0 && value <= Long.MAX_VALUE >> shift) {
                return value << shift;
            }
        } catch (NumberFormatException e) {
            // Reported below, with the same message as a value out of range.
        }
        throw new UsageException(option + " expects a size above 0 such as 64k, 256m or 1g, got '" + text + "'");
    }

    static int count(String option, String text, int min) throws UsageException {
        try {
            int value = Integer.parseInt(text);
            if (value >= min) {
                return value;
            }
        } catch (NumberFormatException e) {
            // Reported below, with the same message as a value out of range.
        }
        throw new UsageException(option + " expects a whole number of at least " + min + ", got '" + text + "'");
    }

    private static Duration parseDuration(String lower) {
        if (lower.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(lower.substring(0, lower.length() - 2)));
        }
        char unit = lower.isEmpty() ? ' ' : lower.charAt(lower.length() - 1);
        String number = lower.substring(0, Math.max(0, lower.length() - 1));
        return switch (unit) {
            case 's' -> Duration.ofSeconds(Long.parseLong(number));
            case 'm' -> Duration.ofMinutes(Long.parseLong(number));
            case 'h' -> Duration.ofHours(Long.parseLong(number));
            default -> Duration.ofSeconds(Long.parseLong(lower));
        };
    }
}

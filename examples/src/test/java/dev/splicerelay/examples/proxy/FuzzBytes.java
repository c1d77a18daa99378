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
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;

/** Seeded building blocks for the fuzzer's inputs. */
final class FuzzBytes {
    /** Inputs up to this size print whole in a failure; a longer one is regenerated from its seed. */
    private static final int HEX_LIMIT = 8192;

    private FuzzBytes() {
    }

    /** ISO-8859-1, so that every char up to U+00FF stands for exactly one byte, as a fuzzer wants. */
    static byte[] latin1(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] random(SplittableRandom random, int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) random.nextInt(256);
        }
        return bytes;
    }

    /**
     * A length from 1 to {@code max}, log-uniform: a few bytes are as likely as a few kilobytes, so short inputs, which
     * stop a decoder in the middle of a field, are not drowned by long ones.
     */
    static int size(SplittableRandom random, int max) {
        return (int) Math.max(1, Math.min(max, Math.round(Math.pow(max, random.nextDouble()))));
    }

    /** A proper prefix of {@code bytes}: at least one byte, never all of them. */
    static byte[] prefix(SplittableRandom random, byte[] bytes) {
        byte[] prefix = new byte[1 + random.nextInt(bytes.length - 1)];
        System.arraycopy(bytes, 0, prefix, 0, prefix.length);
        return prefix;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            all.writeBytes(part);
        }
        return all.toByteArray();
    }

    static <T> T pick(SplittableRandom random, List<T> choices) {
        return choices.get(random.nextInt(choices.size()));
    }

    static int oneOf(SplittableRandom random, int... choices) {
        return choices[random.nextInt(choices.length)];
    }

    /** The bytes in hex: all of them up to {@value #HEX_LIMIT}, beyond that the first and last kilobyte. */
    static String hex(byte[] bytes) {
        HexFormat hex = HexFormat.of();
        if (bytes.length <= HEX_LIMIT) {
            return hex.formatHex(bytes);
        }
        return hex.formatHex(bytes, 0, 1024) + "..." + hex.formatHex(bytes, bytes.length - 1024, bytes.length)
                + " (the middle left out; the seed regenerates it)";
    }
}

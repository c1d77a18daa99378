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
package dev.splicerelay.benchmarks;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code --name value} command-line options for the mains of this module.
 */
final class Args {
    private final Map<String, String> values = new HashMap<>();

    private Args(String[] args, Set<String> known) {
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (!known.contains(name) || i + 1 == args.length) {
                throw new IllegalArgumentException("expected one of " + known + " followed by a value, got '" + name
                        + "'");
            }
            values.put(name, args[++i]);
        }
    }

    static Args parse(String[] args, String... known) {
        return new Args(args, Set.of(known));
    }

    String get(String name, String defaultValue) {
        String value = values.getOrDefault(name, defaultValue);
        if (value == null) {
            throw new IllegalArgumentException(name + " is required");
        }
        return value;
    }

    InetSocketAddress address(String name, String defaultValue) {
        String text = get(name, defaultValue);
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException(name + " expects HOST:PORT, got '" + text + "'");
        }
        return new InetSocketAddress(text.substring(0, colon), Integer.parseInt(text.substring(colon + 1)));
    }
}

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

import io.netty.channel.epoll.Epoll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code java -jar splice-proxy.jar demo}, the README's first command, with a smaller size.
 */
@Timeout(120)
class DemoIT {
    private static final Pattern ROW = Pattern.compile("(?m)^(splice|copy) +(splice|copy) +[0-9.]+ s +[0-9]+ MB/s"
            + " +[0-9.]+ s \\([0-9.]+ \\+ -?[0-9.]+\\) +[0-9.]+ s +ok [0-9a-f]{16}\\.\\.\\.$");

    @Test
    void pushesDataThroughTheProxyInEachModeAndChecksIt() throws Exception {
        try (ProxyProcess demo = ProxyProcess.run(Duration.ofSeconds(100), "demo", "--size", "64m")) {
            assertEquals(0, demo.awaitExit(Duration.ofSeconds(100)), demo.stderr());
            String table = demo.stdout();
            long rows = ROW.matcher(table).results().count();
            assertEquals(Epoll.isAvailable() ? 2 : 1, rows, table);
            if (Epoll.isAvailable()) {
                assertTrue(table.contains("\nsplice  splice "), "the splice run spliced:\n" + table);
            }
            assertTrue(table.contains("\ncopy    copy "), table);
            assertTrue(demo.stderr().contains("100%"), "a progress bar on stderr:\n" + demo.stderr());
        }
    }

    @Test
    void rejectsUnknownDemoOptions() throws Exception {
        try (ProxyProcess demo = ProxyProcess.run(Duration.ofSeconds(30), "demo", "--sise", "1m")) {
            assertEquals(2, demo.awaitExit(Duration.ofSeconds(30)));
            assertTrue(demo.stderr().startsWith("splice-proxy: unknown demo option: --sise"), demo.stderr());
        }
    }
}

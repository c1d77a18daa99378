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

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.channels.Pipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@link PipeCount}: a pipe counts while this process holds both of its ends. */
@Timeout(10)
class PipeCountTest {
    @Test
    void countsAPipeWhileBothEndsAreOpen() throws Exception {
        assumeTrue(PipeCount.isSupported(), "needs /proc/self/fd");
        long before = PipeCount.count();
        Pipe pipe = Pipe.open();
        try {
            assertEquals(before + 1, PipeCount.count(), "both ends open");
            pipe.sink().close();
            assertEquals(before, PipeCount.count(), "one end open: not the process's own pipe");
        } finally {
            pipe.sink().close();
            pipe.source().close();
        }
        assertEquals(before, PipeCount.count());
    }
}

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
package dev.splicerelay;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RelayConfigTest {
    @Test
    void defaultsSuitAProxy() {
        RelayConfig config = RelayConfig.defaults();
        assertEquals(RelayMode.AUTO, config.mode());
        assertEquals(SpliceEngine.AUTO, config.spliceEngine());
        assertEquals(Duration.ofMinutes(10), config.idleTimeout());
    }

    @Test
    void negativeIdleTimeoutIsRejectedAtOnce() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RelayConfig.builder().idleTimeout(Duration.ofSeconds(-1)));
        assertEquals("idleTimeout must not be negative: PT-1S", e.getMessage());
    }

    @Test
    void nullsAreRejectedWithTheirName() {
        assertEquals("mode", assertThrows(NullPointerException.class,
                () -> RelayConfig.builder().mode(null)).getMessage());
        assertEquals("spliceEngine", assertThrows(NullPointerException.class,
                () -> RelayConfig.builder().spliceEngine(null)).getMessage());
        assertEquals("idleTimeout", assertThrows(NullPointerException.class,
                () -> RelayConfig.builder().idleTimeout(null)).getMessage());
    }

    @Test
    void toBuilderKeepsEveryOption() {
        RelayConfig config = RelayConfig.builder().mode(RelayMode.COPY).spliceEngine(SpliceEngine.SPLICE_TO)
                .idleTimeout(Duration.ZERO).build();
        RelayConfig copy = config.toBuilder().build();
        assertEquals(RelayMode.COPY, copy.mode());
        assertEquals(SpliceEngine.SPLICE_TO, copy.spliceEngine());
        assertEquals(Duration.ZERO, copy.idleTimeout());
    }
}

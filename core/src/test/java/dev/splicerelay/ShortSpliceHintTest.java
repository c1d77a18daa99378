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

import static dev.splicerelay.ShortSpliceHint.MISSES;
import static dev.splicerelay.ShortSpliceHint.PROBE_EVERY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShortSpliceHintTest {
    @Test
    void splicesAgainWhileExtraSplicesFindBytes() {
        ShortSpliceHint hint = new ShortSpliceHint();
        for (int i = 0; i < 100; i++) {
            assertTrue(hint.spliceAgain());
            hint.found(i % MISSES != 0);
        }
    }

    @Test
    void stopsAfterMissesInARow() {
        ShortSpliceHint hint = missedInARow(MISSES);
        assertFalse(hint.spliceAgain());
    }

    @Test
    void fewerMissesInARowDoNotStopIt() {
        ShortSpliceHint hint = missedInARow(MISSES - 1);
        hint.found(true);
        for (int i = 0; i < MISSES - 1; i++) {
            assertTrue(hint.spliceAgain());
            hint.found(false);
        }
        assertTrue(hint.spliceAgain());
    }

    @Test
    void probesOnceEveryProbeEveryShortSplicesWhileStopped() {
        ShortSpliceHint hint = missedInARow(MISSES);
        int probes = 0;
        for (int i = 0; i < 10 * PROBE_EVERY; i++) {
            if (hint.spliceAgain()) {
                probes++;
                hint.found(false);
            }
        }
        assertEquals(10, probes);
    }

    @Test
    void aProbeThatFindsBytesTurnsItOnAgain() {
        ShortSpliceHint hint = missedInARow(MISSES);
        while (!hint.spliceAgain()) {
            // skipped short splices, up to the probe
        }
        hint.found(true);
        for (int i = 0; i < MISSES; i++) {
            assertTrue(hint.spliceAgain());
            hint.found(false);
        }
        assertFalse(hint.spliceAgain());
    }

    private static ShortSpliceHint missedInARow(int misses) {
        ShortSpliceHint hint = new ShortSpliceHint();
        for (int i = 0; i < misses; i++) {
            assertTrue(hint.spliceAgain());
            hint.found(false);
        }
        return hint;
    }
}

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

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link StderrCapture}, on which the in-process tests' "nothing logged at WARN or ERROR" rests: a warning a test
 * expects is let through, and nothing else is.
 */
@Timeout(10)
class StderrCaptureTest {
    private static final String EXPECTED =
            "2026-12-06T05:57:51.521Z [loop-1] WARN Target - target 127.0.0.1:4571 is DOWN: connect timed out";

    @Test
    void aTargetDownThatTheTestExpectsIsNoTrouble() {
        try (StderrCapture stderr = new StderrCapture()) {
            System.err.println(EXPECTED);
            System.err.println("2026-12-06T05:57:51.522Z [loop-1] INFO TargetConnector - cannot connect");
            assertNull(stderr.takeTrouble(StderrCapture.targetDown("127.0.0.1:4571")));
        }
    }

    /**
     * (An error line stands for a leak report here: a real "LEAK:" in the build's output would fail .ci/run, which
     * greps for it; StderrCapture's pattern finds both alike.)
     */
    @Test
    void anyOtherWarningOrErrorIsTroubleAroundAnExpectedOne() {
        String otherTarget = "2026-12-06T05:57:51.523Z [loop-2] WARN Target - target 127.0.0.1:45715 is DOWN: refused";
        String error = "2026-12-06T05:57:51.524Z [loop-2] ERROR DefaultChannelPipeline - An exceptionCaught() event "
                + "was fired, and it reached at the tail of the pipeline";
        for (String trouble : new String[] {otherTarget, error}) {
            try (StderrCapture stderr = new StderrCapture()) {
                System.err.println(EXPECTED);
                System.err.println(trouble);
                System.err.println(EXPECTED);
                String found = stderr.takeTrouble(StderrCapture.targetDown("127.0.0.1:4571"));
                assertTrue(found != null && found.startsWith(trouble), "not found: " + trouble + "; got " + found);
            }
        }
    }
}

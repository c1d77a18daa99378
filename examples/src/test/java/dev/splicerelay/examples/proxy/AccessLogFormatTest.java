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

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The access log's values: as they are when they are one plain word, quoted and escaped otherwise, so that a line
 * always splits into its {@code key=value} pairs. (Whole lines, from real relays, are checked by AccessLogIT.)
 */
@Timeout(10)
class AccessLogFormatTest {
    @Test
    void plainValuesStayAsTheyAre() {
        assertEquals("127.0.0.1:52814", AccessLogFormat.value("127.0.0.1:52814"));
        assertEquals("[::1]:80", AccessLogFormat.value("[::1]:80"));
        assertEquals("unix:/run/a.sock", AccessLogFormat.value("unix:/run/a.sock"));
        assertEquals("-", AccessLogFormat.value("-"));
    }

    @Test
    void spacesQuotesEqualsSignsAndEmptyValuesAreQuoted() {
        assertEquals("\"pid 42 on unix:/run/a.sock\"", AccessLogFormat.value("pid 42 on unix:/run/a.sock"));
        assertEquals("\"a=b\"", AccessLogFormat.value("a=b"));
        assertEquals("\"\"", AccessLogFormat.value(""));
        assertEquals("\"say \\\"hi\\\" \\\\ bye\"", AccessLogFormat.value("say \"hi\" \\ bye"));
    }

    @Test
    void controlCharactersAreEscaped() {
        assertEquals("\"a\\nb\\rc\\td\\u0001e\\u007f\"", AccessLogFormat.value("a\nb\rc\td\u0001e\u007f"));
    }
}

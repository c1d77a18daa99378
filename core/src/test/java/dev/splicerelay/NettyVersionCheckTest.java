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

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A Netty newer than the newest tested one gets one INFO line that names both; tested versions get none. */
class NettyVersionCheckTest {
    @Test
    void testedVersionsGetNoMessage() {
        for (String tested : new String[] {"4.1.137.Final", "4.2.12.Final", "4.2.15.Final",
                NettyVersionCheck.NEWEST_TESTED}) {
            assertNull(NettyVersionCheck.message(NettyVersion.parse(tested)), tested);
        }
    }

    @Test
    void newerVersionGetsMessageNamingTheNewestTested() {
        String message = NettyVersionCheck.message(NettyVersion.parse("4.2.21.Final"));
        assertNotNull(message);
        assertTrue(message.contains("4.2.21.Final") && message.contains(NettyVersionCheck.NEWEST_TESTED), message);
        assertNotNull(NettyVersionCheck.message(NettyVersion.parse("4.3.0.Alpha1")));
    }

    @Test
    void unknownVersionGetsNoMessage() {
        assertNull(NettyVersionCheck.message(null));
        assertNull(NettyVersion.parse("unknown"));
    }

    @Test
    void theRunningNettyIsKnown() {
        assertNotNull(NettyVersion.ofTransport(), "Netty's version metadata (META-INF/io.netty.versions.properties)");
    }
}

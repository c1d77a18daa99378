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

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

import io.netty.channel.unix.DomainSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class HostPortTest {
    @Test
    void parsesNamesAndAddressesIntoOneCanonicalForm() {
        assertEquals(new HostPort("example.com", 443), HostPort.parse("Example.COM.:443"));
        assertEquals(new HostPort("::1", 80), HostPort.parse("[0:0:0:0:0:0:0:1]:80"));
        assertEquals("[::1]:80", HostPort.parse("[::1]:80").toString());
        assertEquals("127.0.0.1:9000", HostPort.parse("127.0.0.1:9000").toString());
    }

    @ParameterizedTest(name = "{index}: {0}")
    @ValueSource(strings = {"", "host", "host:", ":80", "host:http", "host:65536", "host:-1", "::1:80", "a b:80",
            "a/b:80", "[::1:80", "host:123456"})
    void rejectsWhatIsNotHostColonPort(String text) {
        assertThrows(IllegalArgumentException.class, () -> HostPort.parse(text));
    }

    @Test
    void proxyAddressesAreHostPortsOrUnixPaths() {
        assertEquals(new HostPort("127.0.0.1", 80), ProxyAddress.parse("127.0.0.1:80"));
        assertEquals(new UnixPath("/run/a b.sock"), ProxyAddress.parse("unix:/run/a b.sock"));
        assertEquals(new UnixPath("rel.sock"), ProxyAddress.parse("unix:rel.sock"));
        assertEquals("unix:/run/a.sock", ProxyAddress.parse("unix:/run/a.sock").toString());
        assertEquals(new DomainSocketAddress("/run/a.sock"), ProxyAddress.parse("unix:/run/a.sock").toSocketAddress());
        assertEquals("unix:/run/a.sock", ProxyAddress.toString(new DomainSocketAddress("/run/a.sock")));
        assertEquals("[::1]:80", ProxyAddress.toString(new InetSocketAddress("::1", 80)));
        assertThrows(IllegalArgumentException.class, () -> ProxyAddress.parse("unix:"));
        assertThrows(IllegalArgumentException.class, () -> ProxyAddress.parse("unix:/a\0b"));
        assertThrows(IllegalArgumentException.class, () -> HostPort.parse("unix:/run/a.sock"));
    }

    @Test
    void resolvesOnlyIpLiteralsItself() {
        InetSocketAddress literal = HostPort.parse("127.0.0.1:80").toSocketAddress();
        assertFalse(literal.isUnresolved());
        InetSocketAddress name = HostPort.parse("localhost:80").toSocketAddress();
        assertTrue(name.isUnresolved(), "names are resolved off the event loop when connecting");
    }

    @Test
    void allowListMatchesCanonicalTargetsExactly() {
        TargetAllowList allow = TargetAllowList.parse("Example.com:443, [::1]:8080,127.0.0.1:9000");
        assertTrue(allow.targets().contains(HostPort.parse("example.com:443")));
        assertTrue(allow.targets().contains(new HostPort("0:0::1", 8080)));
        assertFalse(allow.targets().contains(HostPort.parse("example.com:80")));
        assertFalse(allow.targets().contains(HostPort.parse("localhost:9000")), "no resolution when matching");
        assertTrue(TargetAllowList.NONE.isEmpty());
        assertFalse(TargetAllowList.NONE.targets().contains(HostPort.parse("127.0.0.1:9000")));
        assertThrows(IllegalArgumentException.class, () -> TargetAllowList.parse("a:1,,b:2"));
        assertThrows(IllegalArgumentException.class, () -> TargetAllowList.parse("a:0"));
    }
}

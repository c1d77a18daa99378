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

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * Short connections per second, one at a time: connect through {@link RelayPath} to an echo server, send 64 bytes,
 * read the 64-byte echo, close. Every echo is checked, and every relay must end {@code COMPLETED} in the mode asked
 * for (checked on every operation for the relays ended so far, and for all of them at the end of the trial).
 *
 * <p>Each operation leaves a TIME_WAIT socket behind (two through a relay); Linux reuses them for new loopback
 * connections ({@code net.ipv4.tcp_tw_reuse}, default 2), so the ephemeral port range does not run out.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
public class RelayChurnBenchmark extends ForkedBenchmark {
    @Param({"DIRECT", "COPY_NIO", "COPY_EPOLL", "COPY_IO_URING", "SPLICE_EPOLL", "SPLICE_OWN_EPOLL"})
    public RelayPath path;

    private EchoPath echo;
    private LoopbackRelay relay;
    private InetSocketAddress target;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        echo = EchoPath.start(path);
        relay = echo.relay();
        target = echo.address();
    }

    @Benchmark
    public long connectEchoClose() throws IOException {
        long seq;
        try (PingPong client = new PingPong(target)) {
            seq = client.exchange();
        }
        if (relay != null) {
            relay.check();
        }
        return seq;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        try {
            if (relay != null) {
                relay.awaitAllEnded(PingPong.TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
                long expected = relay.relaysStarted() * PingPong.MESSAGE_SIZE;
                if (relay.bytesToTarget() != expected || relay.bytesFromTarget() != expected) {
                    throw new IllegalStateException(relay.relaysStarted() + " relays moved " + relay.bytesToTarget()
                            + " + " + relay.bytesFromTarget() + " bytes, not " + expected + " each way");
                }
            }
        } finally {
            echo.close();
        }
    }
}

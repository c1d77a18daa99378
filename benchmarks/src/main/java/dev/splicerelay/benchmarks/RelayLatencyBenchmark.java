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
import java.util.concurrent.TimeUnit;

/**
 * Round-trip time of one 64-byte request and its echo on a long-lived connection, client → {@link RelayPath} → echo
 * server: the shape of Netty's {@code EpollSocketChannelBenchmark.pingPong}. Every echo is checked; the trial fails
 * if the relay did not complete in the mode asked for.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Thread)
public class RelayLatencyBenchmark extends ForkedBenchmark {
    @Param({"DIRECT", "COPY_NIO", "COPY_EPOLL", "COPY_IO_URING", "SPLICE_EPOLL", "SPLICE_OWN_EPOLL"})
    public RelayPath path;

    private EchoPath echo;
    private LoopbackRelay relay;
    private PingPong client;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        echo = EchoPath.start(path);
        relay = echo.relay();
        client = new PingPong(echo.address());
    }

    @Benchmark
    public long pingPong64() throws IOException {
        return client.exchange();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        try {
            client.finish();
            client.close();
            if (relay != null) {
                relay.awaitAllEnded(PingPong.TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            }
        } finally {
            echo.close();
        }
    }
}

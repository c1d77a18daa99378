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

import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What every relay benchmark shares, inherited by JMH from this class: the warm-up and measurement iterations, and one
 * forked JVM with the same arguments, so that the benchmarks' scores are comparable. A benchmark class names its own
 * mode and unit.
 */
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {ForkedBenchmark.NO_LEAK_DETECTION, "-Xms512m", "-Xmx512m",
        ForkedBenchmark.IO_URING_ONE_SHOT_POLL})
public abstract class ForkedBenchmark {
    /** Measures the relay, not Netty's sampling of buffer allocations. */
    static final String NO_LEAK_DETECTION = "-Dio.netty.leakDetection.level=disabled";

    /**
     * The io_uring paths ({@code COPY_IO_URING}) run as splice-relay needs io_uring run on Netty 4.2.12: with its
     * multishot POLLIN poll, a reset that arrives while a relay has paused reading is never reported and the relay
     * hangs (docs/DESIGN.md). The test JVMs get the same setting from the parent pom's {@code test.argLine}.
     */
    static final String IO_URING_ONE_SHOT_POLL = "-Dio.netty.iouring.pollAddMultishotEnabled=false";
}

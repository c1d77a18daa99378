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

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.SingleThreadEventExecutor;

import java.lang.management.ManagementFactory;

/** The CPU time this test process, or some of its threads, have used, to show that a waiting relay does not spin. */
final class ProcessCpu {
    private ProcessCpu() {
    }

    static long nanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** The CPU time used so far by the threads of {@code group}'s event loops (each is started if it was not). */
    static long threadsNanos(EventLoopGroup group) {
        long nanos = 0;
        for (EventExecutor loop : group) {
            long id = ((SingleThreadEventExecutor) loop).threadProperties().id();
            nanos += ManagementFactory.getThreadMXBean().getThreadCpuTime(id);
        }
        return nanos;
    }
}

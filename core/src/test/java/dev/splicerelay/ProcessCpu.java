package dev.splicerelay;

import java.lang.management.ManagementFactory;

/** The CPU time this test process has used, to show that a waiting relay does not spin. */
final class ProcessCpu {
    private ProcessCpu() {
    }

    static long nanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}

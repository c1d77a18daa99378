package dev.splicerelay.examples.proxy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.channels.Pipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@link PipeCount}: a pipe counts while this process holds both of its ends. */
@Timeout(10)
class PipeCountTest {
    @Test
    void countsAPipeWhileBothEndsAreOpen() throws Exception {
        assumeTrue(PipeCount.isSupported(), "needs /proc/self/fd");
        long before = PipeCount.count();
        Pipe pipe = Pipe.open();
        try {
            assertEquals(before + 1, PipeCount.count(), "both ends open");
            pipe.sink().close();
            assertEquals(before, PipeCount.count(), "one end open: not the process's own pipe");
        } finally {
            pipe.sink().close();
            pipe.source().close();
        }
        assertEquals(before, PipeCount.count());
    }
}

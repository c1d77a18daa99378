package dev.splicerelay;

import io.netty.util.Version;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Fails loudly when a Netty upgrade moves the internals that exact splice byte counts rely on (the private
 * {@code SpliceOutTask.len} and the pipeline's cached estimator handle); AUTO would then copy instead.
 */
class NettySpliceTest {
    @Test
    void spliceInternalsAreWhereTheRelayExpectsThem() {
        assertNull(NettySplice.unavailableReason(), () -> "Netty "
                + Version.identify().get("netty-transport-classes-epoll") + ": " + NettySplice.unavailableReason());
    }
}

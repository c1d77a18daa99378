package dev.splicerelay;

import dev.splicerelay.Streams.Transfer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.WriteBufferWaterMark;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.Socket;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * With a peer that does not read, the relay holds a bounded number of bytes however much the sender sends: the
 * 64 KiB pipe when splicing, the high-water mark plus one read cycle (16 reads of at most 64 KiB) when copying.
 * Netty counts 96 bytes of bookkeeping per queued write in its pending bytes; the bound allows for 16 of them.
 */
@Timeout(60)
class BoundedMemoryTest {
    private static final long SENT = 64L << 20;
    private static final long PIPE = 64 * 1024;
    private static final long READ_CYCLE = 16 * 64 * 1024;
    private static final long BOOKKEEPING = 16 * 96;

    @ParameterizedTest(name = "{0}")
    @EnumSource(RelayCase.class)
    void relayBuffersABoundedAmountForAPeerThatDoesNotRead(RelayCase relayCase) throws Exception {
        try (RelayFixture fixture = new RelayFixture(relayCase);
             Socket client = fixture.connect();
             Socket backend = fixture.acceptBackend()) {
            Future<Transfer> sent = fixture.async(() -> Streams.send(client, SENT, 1, true));
            Channel peer = fixture.nextRelay().peer();

            long peak = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            while (System.nanoTime() < deadline) {
                peak = Math.max(peak, peer.eventLoop().submit(() -> pendingBytes(peer)).get());
                Thread.sleep(5);
            }
            assertFalse(sent.isDone(), "the sender was not held back");
            WriteBufferWaterMark waterMark = peer.config().getWriteBufferWaterMark();
            long bound = BOOKKEEPING + (relayCase.mode() == RelayMode.SPLICE ? PIPE : waterMark.high() + READ_CYCLE);
            System.out.printf("%s: peak bytes held for a peer that does not read: %d (bound %d)%n",
                    relayCase, peak, bound);
            assertTrue(peak > 0, "nothing was ever held: the measurement is broken");
            assertTrue(peak <= bound, "held " + peak + " bytes, more than the bound of " + bound);

            Transfer received = Streams.receive(backend);
            assertEquals(sent.get(), received, "every byte arrives once the peer reads");
        }
    }

    private static long pendingBytes(Channel channel) {
        ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
        return buffer == null ? 0 : buffer.totalPendingWriteBytes();
    }
}

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

import dev.splicerelay.testing.Streams;
import dev.splicerelay.testing.Streams.Transfer;
import dev.splicerelay.testing.TestSocket;
import io.netty.channel.Channel;
import io.netty.channel.WriteBufferWaterMark;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With a peer that does not read, the relay holds a bounded number of bytes however much the sender sends: one pipe
 * when splicing (64 KiB with {@code spliceTo}; with the own engine, the capacity its pipes get on this JVM, 1 MiB on
 * Java 22+ from the multi-release jar), the high-water mark plus one read cycle (16 reads of at most 64 KiB) when
 * copying.
 * Netty counts 96 bytes of bookkeeping per queued write in its pending bytes; the bound allows for 16 of them.
 */
class BoundedMemoryTest {
    private static final long SENT = 64L << 20;
    private static final long NETTY_PIPE = 64 * 1024;
    private static final long READ_CYCLE = 16 * 64 * 1024;
    private static final long BOOKKEEPING = 16 * 96;
    private static final int READ_BEFORE_STALL = 8 << 20;
    private static final long STALL_MILLIS = 30_000;
    private static final long MAX_STALL_CPU_MILLIS = 3_000;

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.splicerelay.SocketPair#casesAndPairs")
    @Timeout(60)
    void relayBuffersABoundedAmountForAPeerThatDoesNotRead(RelayCase relayCase, SocketPair pair) throws Exception {
        try (RelayFixture fixture = new RelayFixture(relayCase, pair);
             TestSocket client = fixture.newClient();
             TestSocket backend = fixture.nextBackend()) {
            Future<Transfer> sent = fixture.async(() -> Streams.send(client, SENT, 1, true));
            RelayFixture.Relayed relay = fixture.nextRelay();
            Channel peer = relay.peer();

            long peak = peakHeldBytes(relay, 3000);
            assertFalse(sent.isDone(), "the sender was not held back");
            assertWithinBound(relayCase, pair, peer, peak);

            Transfer received = Streams.receive(backend);
            assertEquals(sent.get(), received, "every byte arrives once the peer reads");
        }
    }

    /**
     * A reader that stops for 30 s mid-stream gets every byte once it reads on; while it stops, the relay holds no
     * more than the bound and uses next to no CPU. In the long suite, for its length.
     */
    @Tag("long")
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.splicerelay.SocketPair#casesAndPairs")
    @Timeout(120)
    void aReaderThatStopsForThirtySecondsGetsEveryByteWhenItReadsOn(RelayCase relayCase, SocketPair pair) throws Exception {
        try (RelayFixture fixture = new RelayFixture(relayCase, pair);
             TestSocket client = fixture.newClient();
             TestSocket backend = fixture.nextBackend()) {
            Future<Transfer> sent = fixture.async(() -> Streams.send(client, SENT, 2, true));
            RelayFixture.Relayed relay = fixture.nextRelay();
            Channel peer = relay.peer();
            InputStream in = backend.in();
            byte[] beforeStall = in.readNBytes(READ_BEFORE_STALL);

            long cpuBefore = ProcessCpu.nanos();
            long peak = peakHeldBytes(relay, STALL_MILLIS);
            long cpuMillis = TimeUnit.NANOSECONDS.toMillis(ProcessCpu.nanos() - cpuBefore);
            System.out.printf("%s %s: %d ms of process CPU while the reader stopped for %d ms%n",
                    relayCase, pair, cpuMillis, STALL_MILLIS);
            assertFalse(sent.isDone(), "the sender was not held back");
            assertWithinBound(relayCase, pair, peer, peak);
            assertTrue(cpuMillis < MAX_STALL_CPU_MILLIS, "the process used " + cpuMillis + " ms of CPU while the "
                    + "reader stopped for " + STALL_MILLIS + " ms");

            Transfer received = Streams.receive(
                    new SequenceInputStream(new ByteArrayInputStream(beforeStall), in), 64 * 1024, 0);
            assertEquals(sent.get(), received, "every byte arrives once the reader reads on");
        }
    }

    /**
     * The most bytes the relay held for its peer (in the peer's outbound buffer or the own engine's pipe) at any
     * sample, every 5 ms for {@code millis}.
     */
    private static long peakHeldBytes(RelayFixture.Relayed relay, long millis) throws Exception {
        Channel peer = relay.peer();
        long peak = 0;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < deadline) {
            peak = Math.max(peak, peer.eventLoop().submit(() -> relay.handler().relay().bytesHeldFor(peer)).get());
            Thread.sleep(5);
        }
        return peak;
    }

    private static long ownEnginePipe() {
        try {
            Pipe pipe = Pipe.open();
            pipe.close();
            return pipe.capacity();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void assertWithinBound(RelayCase relayCase, SocketPair pair, Channel peer, long peak) {
        WriteBufferWaterMark waterMark = peer.config().getWriteBufferWaterMark();
        long bound = BOOKKEEPING + (relayCase == RelayCase.EPOLL_SPLICE_OWN ? ownEnginePipe()
                : relayCase.mode() == RelayMode.SPLICE ? NETTY_PIPE : waterMark.high() + READ_CYCLE);
        System.out.printf("%s %s: peak bytes held for a peer that does not read: %d (bound %d)%n",
                relayCase, pair, peak, bound);
        assertTrue(peak > 0, "nothing was ever held: the measurement is broken");
        assertTrue(peak <= bound, "held " + peak + " bytes, more than the bound of " + bound);
    }
}

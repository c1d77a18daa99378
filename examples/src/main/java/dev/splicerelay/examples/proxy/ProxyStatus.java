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

import dev.splicerelay.RelayMode;
import dev.splicerelay.RelayStats;
import dev.splicerelay.SpliceRelayHandler;
import io.netty.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The proxy's admission control ({@code --max-connections}) and counters, and the lines it logs from them: a status
 * line at INFO every {@code --status-interval}, and one line at DEBUG for every relay that ends.
 *
 * <p>Byte counts cover every relay: the live counts of the relays still running plus the final counts of those that
 * ended (see {@link #bytesRelayed()}).
 *
 * <p>Threading: every event loop updates the counters, so they are atomics; {@link #logStatus()} runs on one
 * scheduled task at a time, which alone owns the previous-interval snapshot.
 */
final class ProxyStatus implements ProxyEvents {
    private static final Logger logger = LoggerFactory.getLogger(ProxyStatus.class);

    private final int maxConnections;
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicBoolean refusing = new AtomicBoolean();
    private final LongAdder accepted = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final LongAdder relaysStarted = new LongAdder();
    private final LongAdder relaysEnded = new LongAdder();
    private final LongAdder spliced = new LongAdder();
    private final LongAdder copied = new LongAdder();
    private final LongAdder bytesToTarget = new LongAdder();
    private final LongAdder bytesToClient = new LongAdder();
    private final Set<SpliceRelayHandler> running = ConcurrentHashMap.newKeySet();
    /** The forward front without channels, which counts its relays' bytes itself; {@code null} with channels. */
    private volatile ForwardServer withoutChannels;
    // Set once by the shutdown thread; a relay started after abortRelays() read the set sees it and aborts itself.
    private volatile boolean aborting;
    private Snapshot previous = new Snapshot(System.nanoTime(), 0, 0, 0, 0, 0, 0);

    /** @param maxConnections the most client connections open at once; 0 for no limit */
    ProxyStatus(int maxConnections) {
        this.maxConnections = maxConnections;
    }

    /**
     * Counts a newly accepted client connection in, unless {@code --max-connections} are open already.
     *
     * @return whether the connection may stay; if so, {@link #connectionClosed()} must follow once it closes
     */
    boolean tryAdmit() {
        for (;;) {
            int open = active.get();
            if (maxConnections > 0 && open >= maxConnections) {
                if (refusing.compareAndSet(false, true)) {
                    logger.warn("{} connections are open (--max-connections): closing new clients at once", open);
                }
                return false;
            }
            if (active.compareAndSet(open, open + 1)) {
                accepted.increment();
                refusing.set(false);
                return true;
            }
        }
    }

    @Override
    public void connectionRefused(Refusal reason) {
        refused.increment();
    }

    void connectionClosed() {
        active.decrementAndGet();
    }

    int activeConnections() {
        return active.get();
    }

    /** Relays started and not yet ended; ended ones are read first, so that a relay ending meanwhile is not lost. */
    int openRelays() {
        long ended = relaysEnded.sum();
        return (int) Math.max(0, relaysStarted.sum() - ended);
    }

    /** The proxy's forward front runs without channels: its relays' bytes come from {@code front}'s counts. */
    void countBytesOf(ForwardServer front) {
        withoutChannels = front;
    }

    /**
     * Counts a started relay; a relay with a handler is kept until it ends, for its live byte counts and
     * {@link #abortRelays()}. A relay without ({@code null}: {@link ForwardServer}'s) is aborted with its server.
     */
    @Override
    public void relayStarted(SpliceRelayHandler relay) {
        relaysStarted.increment();
        if (relay == null) {
            return;
        }
        running.add(relay);
        if (aborting) {
            relay.abort();
        }
    }

    /**
     * Aborts every relay still running, and every relay started from now on: each resets both its sides
     * ({@link SpliceRelayHandler#abort()}), so that no client takes a cut transfer for a complete one.
     *
     * @return the completions of the relays aborted here
     */
    List<Future<RelayStats>> abortRelays() {
        aborting = true;
        List<Future<RelayStats>> completions = new ArrayList<>();
        for (SpliceRelayHandler relay : running) {
            relay.abort();
            completions.add(relay.completionFuture());
        }
        return completions;
    }

    @Override
    public void relayFailed(SpliceRelayHandler relay, Throwable cause) {
        if (relay != null) {
            running.remove(relay);
        }
        relaysEnded.increment();
    }

    /** Counts an ended relay and logs it at DEBUG. */
    @Override
    public void relayEnded(SpliceRelayHandler relay, EndedRelay ended) {
        RelayStats stats = ended.stats();
        relaysEnded.increment();
        (stats.mode() == RelayMode.SPLICE ? spliced : copied).increment();
        if (relay != null) {
            // Out of the running set before its bytes join the totals: see bytesRelayed().
            running.remove(relay);
            bytesToTarget.add(stats.bytesInboundToPeer());
            bytesToClient.add(stats.bytesPeerToInbound());
        }
        if (logger.isDebugEnabled()) {
            logger.debug("relay {} -> {} ended {} after {} ms: {}, client->target {} B, target->client {} B{}{}",
                    ended.client(), ended.target(),
                    stats.outcome(), stats.duration().toMillis(), stats.mode(), stats.bytesInboundToPeer(),
                    stats.bytesPeerToInbound(), stats.spliceEngine().map(engine -> ", engine " + engine).orElse(""),
                    stats.cause().map(cause -> ", cause: " + cause).orElse(""));
        }
    }

    /** Logs one status line covering the time since the previous one. */
    void logStatus() {
        Snapshot now = snapshot();
        Snapshot before = previous;
        previous = now;
        double seconds = Math.max(1e-9, (now.nanos - before.nanos) / 1e9);
        logger.info("status: {} open ({} relaying), accepted {} (+{}), refused {} (+{}); relays ended: "
                        + "splice {} (+{}), copy {} (+{}); client->target {}, target->client {} "
                        + "(over the last {} s)",
                active.get(), relaysStarted.sum() - relaysEnded.sum(), now.accepted, now.accepted - before.accepted,
                now.refused, now.refused - before.refused, now.spliced, now.spliced - before.spliced, now.copied,
                now.copied - before.copied, rate(now.bytesToTarget - before.bytesToTarget, seconds),
                rate(now.bytesToClient - before.bytesToClient, seconds), Math.round(seconds));
    }

    long splicedRelays() {
        return spliced.sum();
    }

    long copiedRelays() {
        return copied.sum();
    }

    private static String rate(long bytes, double seconds) {
        double perSecond = bytes / seconds;
        if (perSecond < 1e3) {
            return String.format(Locale.ROOT, "%.0f B/s", perSecond);
        }
        return perSecond < 1e6 ? String.format(Locale.ROOT, "%.1f kB/s", perSecond / 1e3)
                : String.format(Locale.ROOT, "%.1f MB/s", perSecond / 1e6);
    }

    /**
     * Bytes relayed so far each way, by every relay: the final counts of those that ended plus the live counts of
     * those still running, and the counts of the forward front without channels, which cover both; safe from any
     * thread. The totals of ended relays are read first, and {@link #relayEnded}
     * removes a relay from the running set before it adds its bytes to them, so a relay that ends meanwhile is
     * counted at most once: possibly not at all, which makes the sum dip below an earlier one for that one call.
     */
    Bytes bytesRelayed() {
        long toTarget = bytesToTarget.sum();
        long toClient = bytesToClient.sum();
        ForwardServer front = withoutChannels;
        if (front != null) {
            toTarget += front.bytesClientToTarget();
            toClient += front.bytesTargetToClient();
        }
        for (SpliceRelayHandler relay : running) {
            toTarget += relay.bytesInboundToPeer();
            toClient += relay.bytesPeerToInbound();
        }
        return new Bytes(toTarget, toClient);
    }

    /** Byte counts each way. */
    record Bytes(long toTarget, long toClient) {
    }

    private Snapshot snapshot() {
        Bytes bytes = bytesRelayed();
        return new Snapshot(System.nanoTime(), accepted.sum(), refused.sum(), spliced.sum(), copied.sum(),
                bytes.toTarget(), bytes.toClient());
    }

    private record Snapshot(long nanos, long accepted, long refused, long spliced, long copied, long bytesToTarget,
                            long bytesToClient) {
    }
}

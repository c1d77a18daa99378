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
 * The proxy's counters, and the lines it logs from them: a status line at INFO every {@code --status-interval}, and
 * one line at DEBUG for every relay that ends.
 *
 * <p>Byte rates cover every relay: the live counts of the relays still running plus the final counts of those that
 * ended. A relay that ends while a status line is being computed may be counted in neither or both for that one line.
 *
 * <p>Threading: every event loop updates the counters, so they are atomics; {@link #logStatus()} runs on one
 * scheduled task at a time, which alone owns the previous-interval snapshot.
 */
final class ProxyStatus {
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
                refused.increment();
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

    void connectionClosed() {
        active.decrementAndGet();
    }

    int activeConnections() {
        return active.get();
    }

    void relayStarted(SpliceRelayHandler relay) {
        relaysStarted.increment();
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

    /** A relay that could not start, for example {@code --mode splice} where splicing is impossible. */
    void relayFailed(SpliceRelayHandler relay) {
        running.remove(relay);
        relaysEnded.increment();
    }

    /** Counts an ended relay and logs it at DEBUG; {@code name} says which client and target it joined. */
    void relayEnded(SpliceRelayHandler relay, String name, RelayStats stats) {
        running.remove(relay);
        relaysEnded.increment();
        (stats.mode() == RelayMode.SPLICE ? spliced : copied).increment();
        bytesToTarget.add(stats.bytesInboundToPeer());
        bytesToClient.add(stats.bytesPeerToInbound());
        if (logger.isDebugEnabled()) {
            logger.debug("relay {} ended {} after {} ms: {}, client->target {} B, target->client {} B{}{}", name,
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

    private Snapshot snapshot() {
        long liveToTarget = 0;
        long liveToClient = 0;
        for (SpliceRelayHandler relay : running) {
            liveToTarget += relay.bytesInboundToPeer();
            liveToClient += relay.bytesPeerToInbound();
        }
        return new Snapshot(System.nanoTime(), accepted.sum(), refused.sum(), spliced.sum(), copied.sum(),
                bytesToTarget.sum() + liveToTarget, bytesToClient.sum() + liveToClient);
    }

    private record Snapshot(long nanos, long accepted, long refused, long spliced, long copied, long bytesToTarget,
                            long bytesToClient) {
    }
}

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

import dev.splicerelay.SpliceRelayHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code --access-log}: one INFO line per ended relay, in {@link AccessLogFormat}, through the logger
 * {@code dev.splicerelay.examples.proxy.AccessLog} (so on standard error, with slf4j-simple's time and level in
 * front).
 *
 * <p>Writing to standard error can block (a full pipe, a slow terminal), and relays end on the event loops, which
 * must never block; so {@link #relayEnded} only queues the ended relay, and a thread of its own formats and writes
 * the lines. If the queue is full, which takes {@value #CAPACITY} lines not yet written, the line is dropped and
 * counted: the writer warns with the count, and the metrics count it too. {@link #close} writes what is queued.
 *
 * <p>Threading: {@link #relayEnded} from any event loop; {@link #close} once, from the thread that stops the proxy.
 */
final class AccessLog implements ProxyEvents, AutoCloseable {
    static final int CAPACITY = 65_536;

    private static final Logger logger = LoggerFactory.getLogger(AccessLog.class);
    private static final Logger status = LoggerFactory.getLogger(ProxyStatus.class);
    private static final EndedRelay STOP = new EndedRelay("", "", Front.FORWARD, new UnixPath("-"), null);

    private final BlockingQueue<EndedRelay> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final AtomicLong dropped = new AtomicLong();
    private final Runnable onDrop;
    private final Thread writer;

    /** @param onDrop called, on the dropping event loop, for each line dropped; must not block */
    AccessLog(Runnable onDrop) {
        this.onDrop = onDrop;
        writer = new Thread(this::write, "splice-proxy-access-log");
        writer.setDaemon(true);
        writer.start();
    }

    @Override
    public void relayEnded(SpliceRelayHandler relay, EndedRelay ended) {
        if (!queue.offer(ended)) {
            dropped.incrementAndGet();
            onDrop.run();
        }
    }

    /** Writes the lines still queued, waiting for at most {@code timeout}, and stops the writer. */
    void close(Duration timeout) {
        try {
            if (queue.offer(STOP, timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                writer.join(timeout.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }

    private void write() {
        try {
            for (;;) {
                EndedRelay ended = queue.take();
                if (ended == STOP) {
                    return;
                }
                long lost = dropped.getAndSet(0);
                if (lost > 0) {
                    status.warn("--access-log dropped {} line(s): its queue of {} was full", lost, CAPACITY);
                }
                logger.info(AccessLogFormat.format(ended));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

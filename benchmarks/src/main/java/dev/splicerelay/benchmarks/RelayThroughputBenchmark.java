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

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bulk throughput of long-lived streams, client → {@link RelayPath} → sink, over loopback.
 *
 * <p>Each operation writes one {@value BlockStream#BLOCK_SIZE}-byte block as {@code chunkSize}-byte writes on a
 * blocking socket, so <b>the score in ops/s is MiB/s</b> (summed over the streams for {@link #fourStreams}). The sink
 * ({@link BlockSink}) checks every byte; an operation fails if the sink has reported corruption or is more than
 * {@value #MAX_BLOCKS_IN_FLIGHT} blocks behind for {@value #STALL_TIMEOUT_SECONDS} s, and the trial fails if any stream
 * arrived short or any relay did not complete in the mode asked for.
 *
 * <p>The relay runs in this JVM on its own one-thread event loop group; client and sink threads share the machine's
 * cores with it, as the peers in {@code peers.sh} share them with iperf3.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RelayThroughputBenchmark extends ForkedBenchmark {
    static final int MAX_BLOCKS_IN_FLIGHT = 16;
    static final int STALL_TIMEOUT_SECONDS = 10;

    private static final AtomicLong STREAM_IDS = new AtomicLong();

    /** The sink, and the relay in front of it unless the path is {@link RelayPath#DIRECT}. */
    @State(Scope.Benchmark)
    public static class Fixture {
        @Param({"DIRECT", "COPY_NIO", "COPY_EPOLL", "COPY_IO_URING", "SPLICE_EPOLL", "SPLICE_OWN_EPOLL",
                "SPLICE_OWN_EPOLL_TO_UNIX", "AUTO_EPOLL_TO_NIO"})
        public RelayPath path;

        @Param({"1024", "65536", "1048576"})
        public int chunkSize;

        BlockSink sink;
        LoopbackRelay relay;
        SocketAddress target;
        final AtomicLong bytesSent = new AtomicLong();
        final Queue<Stream> streams = new ConcurrentLinkedQueue<>();

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            if (BlockStream.BLOCK_SIZE % chunkSize != 0) {
                throw new IllegalArgumentException("chunkSize must divide " + BlockStream.BLOCK_SIZE);
            }
            sink = path.peer() == RelayPath.Peer.UNIX ? BlockSink.startUnix() : BlockSink.start();
            target = sink.address();
            if (path.relayed()) {
                relay = LoopbackRelay.start(path, target);
                target = relay.address();
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            try {
                // JMH tears this state down before the threads' Stream states, so end the streams here first.
                for (Stream stream : streams) {
                    stream.close();
                }
                if (relay != null) {
                    relay.awaitAllEnded(STALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                    if (relay.bytesToTarget() != bytesSent.get() || relay.bytesFromTarget() != 0) {
                        throw new IllegalStateException("the relays counted " + relay.bytesToTarget() + " + "
                                + relay.bytesFromTarget() + " bytes, the clients sent " + bytesSent.get() + " + 0");
                    }
                }
            } finally {
                try {
                    if (relay != null) {
                        relay.close();
                    }
                } finally {
                    sink.close();
                }
            }
        }
    }

    /** One long-lived client stream per benchmark thread. */
    @State(Scope.Thread)
    public static class Stream {
        private Fixture fixture;
        private SocketChannel channel;
        private BlockSink.Connection sinkSide;
        private LoopbackRelay relay;
        private ByteBuffer block;
        private long blocks;
        private long sent;
        private boolean closed;

        @Setup(Level.Trial)
        public void open(Fixture fixture) throws Exception {
            this.fixture = fixture;
            fixture.streams.add(this);
            relay = fixture.relay;
            block = BlockStream.newBlock();
            channel = SocketChannel.open(fixture.target);
            long id = STREAM_IDS.incrementAndGet();
            ByteBuffer header = ByteBuffer.allocate(Long.BYTES).putLong(0, id);
            while (header.hasRemaining()) {
                channel.write(header);
            }
            sinkSide = fixture.sink.awaitConnection(id, STALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }

        long sendBlock(int chunkSize) throws IOException {
            BlockStream.number(block, blocks++);
            try {
                for (int off = 0; off < BlockStream.BLOCK_SIZE; off += chunkSize) {
                    block.limit(off + chunkSize).position(off);
                    while (block.hasRemaining()) {
                        channel.write(block);
                    }
                }
            } catch (IOException e) {
                // Say why the other end went away, if the sink or the relay knows.
                String why = sinkSide.failure() != null ? sinkSide.failure() : relay != null ? relay.failure() : null;
                throw why == null ? e : new IOException(e.getMessage() + "; " + why, e);
            }
            sent += BlockStream.BLOCK_SIZE;
            sinkSide.awaitReceived(sent - (long) MAX_BLOCKS_IN_FLIGHT * BlockStream.BLOCK_SIZE,
                    STALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (relay != null) {
                relay.check();
            }
            return sent;
        }

        /**
         * Ends the stream and checks that the sink got all of it intact; called by {@link Fixture#tearDown()}, and
         * again (a no-op then) by JMH.
         */
        @TearDown(Level.Trial)
        public synchronized void close() throws Exception {
            if (closed) {
                return;
            }
            closed = true;
            try {
                channel.shutdownOutput();
                fixture.bytesSent.addAndGet(Long.BYTES + sent);
                sinkSide.awaitEnd(sent, STALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                // Through a relay, the sink's FIN comes back once the relay has finished both directions.
                channel.socket().setSoTimeout(STALL_TIMEOUT_SECONDS * 1000);
                InputStream in = channel.socket().getInputStream();
                int b = in.read();
                if (b != -1) {
                    throw new IllegalStateException("unexpected byte from the sink side: " + b);
                }
            } finally {
                channel.close();
            }
        }
    }

    @Benchmark
    @Threads(1)
    public long oneStream(Fixture fixture, Stream stream) throws IOException {
        return stream.sendBlock(fixture.chunkSize);
    }

    @Benchmark
    @Threads(4)
    public long fourStreams(Fixture fixture, Stream stream) throws IOException {
        return stream.sendBlock(fixture.chunkSize);
    }
}

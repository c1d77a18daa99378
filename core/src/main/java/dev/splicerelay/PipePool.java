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

import io.netty.channel.EventLoop;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@link Pipe}s of one event loop: it keeps at most {@link #MAX_IDLE_PIPES} idle, empty ones. A relay takes a pipe
 * when bytes start to move in one direction and gives it back as soon as they are all delivered, so that thousands of
 * mostly idle relays hold no pipes (an unprivileged user gets only about 1,024 pipes of 64 KiB before new ones shrink
 * to a page), and busy ones do not open and close a pipe per burst.
 *
 * <p>Ownership: {@link #take()} lends a pipe to a relay, {@link #give(Pipe)} takes it back empty (closing it if the
 * pool is full), {@link #discard(Pipe)} closes one that still holds bytes. The pool also remembers the pipes on loan:
 * when its event loop terminates it closes them with the idle ones and forgets the loop, so no pipe outlives its loop
 * even if Netty never told the relays that the loop was shutting down (see {@link EpollIo.Listener}).
 * Threading: {@link #take()}, {@link #give(Pipe)} and {@link #discard(Pipe)} run on the pool's event loop only; the
 * final close runs after the loop's thread has ended.
 */
final class PipePool {
    static final int MAX_IDLE_PIPES = 8;

    private static final Map<EventLoop, PipePool> POOLS = new ConcurrentHashMap<>();

    private final ArrayDeque<Pipe> idle = new ArrayDeque<>();
    private final Set<Pipe> lent = Collections.newSetFromMap(new IdentityHashMap<>());
    // Written only by the event loop; volatile so that tests on other threads can read it.
    private volatile int size;

    private PipePool() {
    }

    /** The pool of {@code loop}, made on first use. */
    static PipePool of(EventLoop loop) {
        return POOLS.computeIfAbsent(loop, l -> {
            PipePool pool = new PipePool();
            // Runs once the loop's thread has ended, so nothing else can use the pool any more.
            l.terminationFuture().addListener(f -> POOLS.remove(l).closeAll());
            return pool;
        });
    }

    /** How many idle pipes the pools of all event loops hold now (for tests, which count open fds). */
    static int idlePipes() {
        return POOLS.values().stream().mapToInt(PipePool::size).sum();
    }

    /** An empty pipe, from the pool or new, on loan until {@link #give} or {@link #discard}. */
    Pipe take() throws IOException {
        Pipe pipe = idle.poll();
        if (pipe == null) {
            pipe = Pipe.open();
        }
        size = idle.size();
        lent.add(pipe);
        return pipe;
    }

    /** Takes back an empty pipe. */
    void give(Pipe pipe) {
        lent.remove(pipe);
        if (idle.size() < MAX_IDLE_PIPES) {
            idle.push(pipe);
            size = idle.size();
        } else {
            pipe.close();
        }
    }

    /** Closes a pipe on loan that still holds bytes nobody will deliver. */
    void discard(Pipe pipe) {
        lent.remove(pipe);
        pipe.close();
    }

    private int size() {
        return size;
    }

    private void closeAll() {
        Pipe pipe;
        while ((pipe = idle.poll()) != null) {
            pipe.close();
        }
        size = 0;
        lent.forEach(Pipe::close);
        lent.clear();
    }
}

package dev.splicerelay;

import io.netty.channel.EventLoop;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The idle, empty {@link Pipe}s of one event loop, at most {@link #MAX_IDLE_PIPES}: a relay takes a pipe when bytes
 * start to move in one direction and gives it back as soon as they are all delivered, so that thousands of mostly
 * idle relays hold no pipes (an unprivileged user gets only about 1,024 pipes of 64 KiB before new ones shrink to a
 * page), and busy ones do not open and close a pipe per burst.
 *
 * <p>Ownership: the pool owns the pipes it holds; {@link #take()} hands one over, {@link #give(Pipe)} takes it back
 * (closing it if the pool is full). When its event loop terminates, the pool closes what it holds and forgets the
 * loop. Threading: {@link #take()} and {@link #give(Pipe)} run on the pool's event loop only.
 */
final class PipePool {
    static final int MAX_IDLE_PIPES = 8;

    private static final Map<EventLoop, PipePool> POOLS = new ConcurrentHashMap<>();

    private final ArrayDeque<Pipe> idle = new ArrayDeque<>();
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

    /** An empty pipe, from the pool or new. */
    Pipe take() throws IOException {
        Pipe pipe = idle.poll();
        if (pipe == null) {
            return Pipe.open();
        }
        size = idle.size();
        return pipe;
    }

    /** Takes back an empty pipe. */
    void give(Pipe pipe) {
        if (idle.size() < MAX_IDLE_PIPES) {
            idle.push(pipe);
            size = idle.size();
        } else {
            pipe.close();
        }
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
    }
}

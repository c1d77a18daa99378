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

import io.netty.buffer.ByteBufAllocator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the fuzz tests ({@link FrontFuzzTest}, {@link ProxyHeaderFuzzTest}) share: the seed, the clients that send the
 * cases, and the checks that a proxy running in this JVM came through unharmed: file descriptors back where they
 * were, and nothing logged at WARN or ERROR (an exception that reached the tail of a pipeline, a leaked buffer: the
 * pom runs the tests with paranoid leak detection).
 *
 * <p>The inputs come from {@code -Dfuzz.seed} (default {@value #DEFAULT_SEED}), and every failure names the seed.
 */
final class FuzzHarness implements AutoCloseable {
    static final long DEFAULT_SEED = 1928;
    static final long SEED = Long.getLong("fuzz.seed", DEFAULT_SEED);
    static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(1);
    /** How long a connection may stay open that no relay keeps: the handshake timeout, and slack for 2 busy cores. */
    static final Duration CLOSE_LIMIT = HANDSHAKE_TIMEOUT.plusSeconds(4);
    /** Clients at once: enough that the cases waiting out the handshake timeout overlap instead of adding up. */
    private static final int CLIENTS = 16;
    /** Descriptors that this JVM may open meanwhile for reasons of its own. */
    private static final int FD_SLACK = 4;

    private final StderrCapture stderr = new StderrCapture();
    private final ExecutorService clients = Executors.newFixedThreadPool(CLIENTS, task -> {
        Thread thread = new Thread(task, "fuzz-client");
        thread.setDaemon(true);
        return thread;
    });
    private long openFilesBefore;

    /** A check of one case: what went wrong, or {@code null}. */
    interface CaseCheck {
        String problem(FuzzCase c) throws Exception;
    }

    /** Sends the cases from {@value #CLIENTS} clients at once; returns a description of each that went wrong. */
    List<String> run(List<FuzzCase> cases, CaseCheck check) throws InterruptedException {
        List<Future<String>> problems = new ArrayList<>();
        for (FuzzCase c : cases) {
            problems.add(clients.submit(() -> check.problem(c)));
        }
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            String problem;
            try {
                // Cases ahead of this one may still be running: allow for one round of them.
                problem = problems.get(i).get(3 * CLOSE_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                problem = "the client failed: " + e.getCause();
            } catch (TimeoutException e) {
                problem = "the client hung";
            }
            if (problem != null) {
                failures.add(cases.get(i) + "\n    " + problem);
            }
        }
        return failures;
    }

    static void assertAllPassed(List<FuzzCase> cases, List<String> failures) {
        assertTrue(failures.isEmpty(), () -> failures.size() + " of " + cases.size() + " cases failed" + seed()
                + "; the first ones:\n" + String.join("\n", failures.subList(0, Math.min(5, failures.size()))));
    }

    /** Remembers how many file descriptors are open, before a test. */
    void countOpenFiles() {
        openFilesBefore = openFiles();
    }

    void assertOpenFilesBackToBefore() throws InterruptedException {
        assertTrue(await(() -> openFiles() <= openFilesBefore + FD_SLACK),
                openFiles() + " open file descriptors, " + openFilesBefore + " before the test" + seed());
    }

    /** Fails if anything was logged at WARN or ERROR since the previous call, a leak report included. */
    void assertNoTrouble() throws InterruptedException {
        provokeLeakReports();
        String trouble = stderr.takeTrouble();
        assertNull(trouble, "the proxy logged trouble" + seed() + ":\n" + trouble);
    }

    /** Waits up to {@link #CLOSE_LIMIT} for {@code condition}. */
    static boolean await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + CLOSE_LIMIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    static String seed() {
        return " (seed " + SEED + ", -Dfuzz.seed=" + SEED + " to run it again)";
    }

    static String answered(FuzzCase.Outcome outcome) {
        return "; the proxy sent " + outcome.reply().length + " bytes in " + outcome.millis() + " ms"
                + (outcome.closed() ? " and closed: " : ": ") + FuzzBytes.hex(outcome.reply());
    }

    @Override
    public void close() {
        clients.shutdownNow();
        stderr.close();
    }

    /**
     * Netty reports a leaked buffer once it has been garbage collected and another buffer is allocated: this makes both
     * happen, so that a leak of this test is reported (at ERROR, which {@link StderrCapture} finds) before it ends.
     */
    private static void provokeLeakReports() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
            ByteBufAllocator.DEFAULT.heapBuffer(1).release();
            ByteBufAllocator.DEFAULT.directBuffer(1).release();
        }
    }

    private static long openFiles() {
        try (Stream<Path> files = Files.list(Path.of("/proc/self/fd"))) {
            return files.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

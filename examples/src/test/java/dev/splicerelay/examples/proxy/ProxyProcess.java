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

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code java -jar target/splice-proxy.jar ...} in a child process, as a user would run it: with paranoid leak
 * detection and DEBUG logging of splice-relay (one line per relay, naming its mode). {@link #close()} kills it if it
 * still runs and fails the test if it reported a leaked buffer.
 */
final class ProxyProcess implements AutoCloseable {
    static final Path JAR = Path.of(System.getProperty("splice.proxy.jar", "target/splice-proxy.jar"));
    private static final Pattern LISTENING = Pattern.compile("listening on (\\S+):(\\d+),");
    private static final Pattern LISTENING_UNIX = Pattern.compile("listening on unix:(.+?), transport ");
    private static final Pattern METRICS = Pattern.compile("metrics on (http://\\S+/metrics)");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final StringBuffer stdout = new StringBuffer();
    private final StringBuffer stderr = new StringBuffer();
    private final CompletableFuture<String> startupLine = new CompletableFuture<>();
    private final List<Thread> pumps = new ArrayList<>();

    private ProxyProcess(List<String> command) throws IOException {
        assertTrue(Files.isRegularFile(JAR), JAR + " is missing: run the tests with 'mvn verify', after package");
        process = new ProcessBuilder(command).start();
        process.getOutputStream().close();
        pump(process.getInputStream(), stdout, true);
        pump(process.getErrorStream(), stderr, false);
    }

    /** Starts the proxy with {@code args} and waits for its start-up line. */
    static ProxyProcess start(String... args) throws Exception {
        return startWithJvmOptions(List.of(), args);
    }

    /** Starts the proxy with {@code jvmOptions} (for example logging properties) before {@code -jar}. */
    static ProxyProcess startWithJvmOptions(List<String> jvmOptions, String... args) throws Exception {
        return started(new ProxyProcess(command(List.of(), jvmOptions, List.of(args))));
    }

    /** Starts the proxy with at most {@code maxFiles} open file descriptors ({@code ulimit -n}). */
    static ProxyProcess startWithFileLimit(int maxFiles, String... args) throws Exception {
        List<String> shell = List.of("/bin/sh", "-c", "ulimit -n " + maxFiles + " && exec \"$0\" \"$@\"");
        return started(new ProxyProcess(command(shell, List.of(), List.of(args))));
    }

    /** Runs the jar behind {@code prefix} (for example {@code setpriv ...}) with {@code args} to its end. */
    static ProxyProcess runWithPrefix(List<String> prefix, Duration timeout, String... args) throws Exception {
        ProxyProcess proxy = new ProxyProcess(command(prefix, List.of("-XX:-UsePerfData"), List.of(args)));
        proxy.awaitExit(timeout);
        return proxy;
    }

    /** Runs the jar with {@code args} to its end (for bad command lines and the demo). */
    static ProxyProcess run(Duration timeout, String... args) throws Exception {
        ProxyProcess proxy = new ProxyProcess(command(List.of(), List.of(), List.of(args)));
        proxy.awaitExit(timeout);
        return proxy;
    }

    private static ProxyProcess started(ProxyProcess proxy) throws Exception {
        try {
            proxy.startupLine.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return proxy;
        } catch (Exception e) {
            proxy.process.destroyForcibly();
            throw new AssertionError("the proxy did not start; stderr:\n" + proxy.stderr, e);
        }
    }

    private static List<String> command(List<String> prefix, List<String> jvmOptions, List<String> args) {
        List<String> command = new ArrayList<>(prefix);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        command.add("-Dio.netty.leakDetection.level=paranoid");
        command.add("-Dorg.slf4j.simpleLogger.log.dev.splicerelay=debug");
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(JAR.toAbsolutePath().toString());
        command.addAll(args);
        return command;
    }

    /** The TCP address of a proxy started with {@code --listen [HOST:]PORT}. */
    InetSocketAddress address() {
        Matcher matcher = LISTENING.matcher(startupLine.join());
        assertTrue(matcher.find(), startupLine.join());
        return new InetSocketAddress(matcher.group(1), Integer.parseInt(matcher.group(2)));
    }

    int port() {
        return address().getPort();
    }

    /** The socket file of a proxy started with {@code --listen unix:PATH}. */
    Path unixPath() {
        Matcher matcher = LISTENING_UNIX.matcher(startupLine.join());
        assertTrue(matcher.find(), startupLine.join());
        return Path.of(matcher.group(1));
    }

    /** The {@code /metrics} URL of a proxy started with {@code --metrics-listen}. */
    java.net.URI metricsUrl() {
        Matcher matcher = METRICS.matcher(startupLine.join());
        assertTrue(matcher.find(), startupLine.join());
        return java.net.URI.create(matcher.group(1));
    }

    String startupLine() {
        return startupLine.join();
    }

    long pid() {
        return process.pid();
    }

    String stdout() {
        return stdout.toString();
    }

    String stderr() {
        return stderr.toString();
    }

    /** Waits until standard error contains {@code text}; returns whether it did within {@code timeout}. */
    boolean awaitStderr(String text, Duration timeout) throws InterruptedException {
        return awaitStderr(Pattern.compile(Pattern.quote(text)), timeout);
    }

    /** Waits until {@code pattern} is found in standard error; returns whether it was within {@code timeout}. */
    boolean awaitStderr(Pattern pattern, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!pattern.matcher(stderr()).find()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    /**
     * Sends SIGTERM, as {@code kill} and service managers do. (Through the process handle: {@link Process#destroy()}
     * would also close the pipes, and the proxy's last words with them.)
     */
    void terminate() {
        process.toHandle().destroy();
    }

    /** Waits for the proxy to exit and for its output to be read to the end; returns its exit status. */
    int awaitExit(Duration timeout) throws InterruptedException, TimeoutException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new TimeoutException("the proxy still runs after " + timeout + "; stderr:\n" + stderr);
        }
        for (Thread pump : pumps) {
            pump.join(TimeUnit.SECONDS.toMillis(5));
        }
        return process.exitValue();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Stops the proxy if it still runs, and fails if it reported a leak. */
    @Override
    public void close() throws IOException {
        try {
            terminate();
            awaitExit(Duration.ofSeconds(20));
        } catch (TimeoutException e) {
            process.destroyForcibly();
            throw new IOException("the proxy did not stop on SIGTERM; stderr:\n" + stderr, e);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        assertFalse(stderr().contains("LEAK:"), "the proxy leaked buffers:\n" + stderr);
    }

    private void pump(InputStream in, StringBuffer into, boolean firstLineIsStartup) {
        Thread thread = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    into.append(line).append('\n');
                    if (firstLineIsStartup) {
                        startupLine.complete(line);
                    }
                }
            } catch (IOException e) {
                into.append("(reading the proxy's output failed: ").append(e).append(")\n");
            } finally {
                if (firstLineIsStartup) {
                    startupLine.completeExceptionally(new IOException("the proxy closed its standard output"));
                }
            }
        }, "proxy-output");
        thread.setDaemon(true);
        thread.start();
        pumps.add(thread);
    }
}

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

import java.util.concurrent.CountDownLatch;

/**
 * The echo backend of {@code peers.sh}'s latency runs: {@link EchoServer} on {@code --listen} until killed.
 */
public final class EchoMain {
    private EchoMain() {
    }

    public static void main(String[] argv) throws Exception {
        Args args = Args.parse(argv, "--listen");
        EchoServer echo = EchoServer.start(args.address("--listen", null));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                echo.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                stopped.countDown();
            }
        }));
        System.out.println("echo listening on " + echo.address());
        stopped.await();
    }
}

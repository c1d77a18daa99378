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

import dev.splicerelay.RelayMode;
import dev.splicerelay.SpliceEngine;

import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in relay process for {@code peers.sh}, built only on the public API through {@link LoopbackRelay}, with the
 * same options as the examples' {@code splice-proxy} forward front:
 *
 * <pre>
 * java -cp benchmarks.jar dev.splicerelay.benchmarks.RelayMain --listen 127.0.0.1:20001 --target 127.0.0.1:21001 \
 *      --mode splice|copy|auto --engine auto|io_handle|splice_to --transport epoll|io_uring|nio --threads 1
 * </pre>
 *
 * It prints one line when it listens, reports every relay that did not complete (or ran in another mode than
 * {@code --mode}) on stderr, and runs until killed.
 */
public final class RelayMain {
    private RelayMain() {
    }

    public static void main(String[] argv) throws Exception {
        Args args = Args.parse(argv, "--listen", "--target", "--mode", "--engine", "--transport", "--threads",
                "--sockbuf", "--max-read", "--nodelay");
        RelayMode mode = RelayMode.valueOf(args.get("--mode", "auto").toUpperCase(Locale.ROOT));
        SpliceEngine engine = SpliceEngine.valueOf(args.get("--engine", "auto").toUpperCase(Locale.ROOT));
        Transport transport = Transport.parse(args.get("--transport", "epoll"));
        int threads = Integer.parseInt(args.get("--threads", "1"));
        ChannelTuning tuning = ChannelTuning.parse(args);
        LoopbackRelay relay = LoopbackRelay.start(transport, mode, engine, threads, args.address("--listen", null),
                args.address("--target", null), RelayPath.Peer.TCP, tuning);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                relay.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                stopped.countDown();
            }
        }));
        System.out.println("relay listening on " + relay.address() + ", target " + args.get("--target", null)
                + ", mode " + mode + ", engine " + engine + ", transport " + transport + ", threads " + threads
                + ", " + tuning);
        String reported = null;
        while (!stopped.await(1, TimeUnit.SECONDS)) {
            String failure = relay.failure();
            if (failure != null && !failure.equals(reported)) {
                System.err.println("relay failure (first one; later ones are not shown): " + failure);
                reported = failure;
            }
        }
    }
}

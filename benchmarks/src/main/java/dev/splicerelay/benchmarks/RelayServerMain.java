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

import dev.splicerelay.RelayConfig;
import dev.splicerelay.RelayMode;
import dev.splicerelay.SpliceRelayServer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@link SpliceRelayServer} for {@code peers.sh} ({@code sr-server}, {@code sr-server-copy}): splice-relay without a
 * Netty channel per connection, relaying every client to one target.
 *
 * <pre>
 * java -cp benchmarks.jar dev.splicerelay.benchmarks.RelayServerMain --listen 127.0.0.1:20001 \
 *      --target 127.0.0.1:21001 --mode splice|copy --threads 1
 * </pre>
 */
public final class RelayServerMain {
    private RelayServerMain() {
    }

    public static void main(String[] argv) throws Exception {
        Args args = Args.parse(argv, "--listen", "--target", "--mode", "--threads");
        List<InetSocketAddress> target = List.of(args.address("--target", null));
        RelayMode mode = RelayMode.valueOf(args.get("--mode", "splice").toUpperCase(Locale.ROOT));
        int threads = Integer.parseInt(args.get("--threads", "1"));
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads, EpollIoHandler.newFactory());
        SpliceRelayServer server = SpliceRelayServer.builder()
                .group(group)
                .localAddress(args.address("--listen", null))
                .targets(client -> target.iterator())
                .config(RelayConfig.builder().mode(mode).build())
                .bind();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
            stopped.countDown();
        }));
        System.out.println("SpliceRelayServer listening on " + server.localAddress() + ", target " + target.get(0)
                + ", mode " + mode + ", threads " + threads);
        stopped.await();
    }
}

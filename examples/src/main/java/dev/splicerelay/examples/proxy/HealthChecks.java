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

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.resolver.AddressResolverGroup;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Active health checks ({@code --check-interval}): every interval, each target of a {@link TargetGroup} gets a TCP
 * (or Unix domain socket) connect, closed as soon as it succeeds, with the connect timeout as its limit.
 * {@code --check-fall} failures in a row mark a target down, {@code --check-rise} successes in a row mark it up again;
 * a target a client's connect marked down meanwhile starts counting afresh.
 *
 * <p>Threading: each target's checks run on one of the proxy's event loops, spread over them, and never block it:
 * the connect is Netty's, and the next check is scheduled when one ends, so checks of a slow target never pile up.
 * Its counters are that loop's alone. The checks stop when the event loops shut down.
 */
final class HealthChecks {
    private HealthChecks() {
    }

    /** Starts checking every target of {@code targets} on {@code group}'s event loops. */
    static void start(TargetGroup targets, EventLoopGroup group, Transport transport, int connectTimeoutMillis,
                      AddressResolverGroup<InetSocketAddress> resolver) {
        HealthPolicy policy = targets.health();
        for (Target target : targets.targets()) {
            EventLoop loop = group.next();
            SocketAddress remote = target.address().toSocketAddress();
            Bootstrap bootstrap = new Bootstrap()
                    .group(loop)
                    .channel(transport.channelClass(remote))
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
                    .option(ChannelOption.AUTO_READ, false)
                    .handler(TargetConnector.Connecting.INSTANCE);
            if (target.address() instanceof HostPort) {
                bootstrap.resolver(resolver);
            }
            new Check(target, loop, bootstrap, remote, policy).scheduleNext();
        }
    }

    /** One target's checks and its counts of results in a row. */
    private static final class Check {
        private final Target target;
        private final EventLoop loop;
        private final Bootstrap bootstrap;
        private final SocketAddress remote;
        private final HealthPolicy policy;
        private int passed;
        private int failed;
        private long seenTransitions;

        Check(Target target, EventLoop loop, Bootstrap bootstrap, SocketAddress remote, HealthPolicy policy) {
            this.target = target;
            this.loop = loop;
            this.bootstrap = bootstrap;
            this.remote = remote;
            this.policy = policy;
            this.seenTransitions = target.transitions();
        }

        void scheduleNext() {
            try {
                loop.schedule(this::run, policy.checkInterval().toNanos(), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException stopping) {
                // The proxy is stopping.
            }
        }

        private void run() {
            bootstrap.connect(remote).addListener((ChannelFutureListener) f -> {
                f.channel().close();
                if (loop.isShuttingDown()) {
                    // A connect the shutdown cut short says nothing about the target.
                    return;
                }
                if (target.transitions() != seenTransitions) {
                    passed = 0;
                    failed = 0;
                }
                if (f.isSuccess()) {
                    failed = 0;
                    if (++passed >= policy.checkRise()) {
                        target.markUp(passed + " checks passed in a row");
                    }
                } else {
                    passed = 0;
                    if (++failed >= policy.checkFall()) {
                        target.markDown(ConnectFailure.of(f.cause()).description() + " (" + failed
                                + " checks in a row)");
                    }
                }
                seenTransitions = target.transitions();
                scheduleNext();
            });
        }
    }
}

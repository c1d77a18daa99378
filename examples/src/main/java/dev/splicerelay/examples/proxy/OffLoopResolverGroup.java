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

import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.InetNameResolver;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Resolves target names with the JDK's resolver (so {@code /etc/hosts} and the system's DNS settings apply, as for
 * any other program) on a few threads of its own, instead of on the event loop.
 *
 * <p>Netty's default resolver calls {@link InetAddress#getByName} on the event loop that connects, and a slow DNS
 * server would then stall every relay on that loop for as long as the lookup takes. Here the lookup blocks one of
 * {@value #THREADS} daemon threads and its result is handed back to the event loop through the promise.
 */
final class OffLoopResolverGroup extends AddressResolverGroup<InetSocketAddress> {
    private static final int THREADS = 4;

    private final ExecutorService lookups;

    OffLoopResolverGroup() {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), task -> {
                    Thread thread = new Thread(task, "splice-proxy-dns");
                    thread.setDaemon(true);
                    return thread;
                });
        pool.allowCoreThreadTimeOut(true);
        this.lookups = pool;
    }

    @Override
    protected AddressResolver<InetSocketAddress> newResolver(EventExecutor loop) {
        return new OffLoopNameResolver(loop).asAddressResolver();
    }

    @Override
    public void close() {
        super.close();
        lookups.shutdownNow();
    }

    private final class OffLoopNameResolver extends InetNameResolver {
        OffLoopNameResolver(EventExecutor loop) {
            super(loop);
        }

        @Override
        protected void doResolve(String host, Promise<InetAddress> promise) {
            lookups.execute(() -> {
                try {
                    promise.trySuccess(InetAddress.getByName(host));
                } catch (Exception e) {
                    promise.tryFailure(e);
                }
            });
        }

        @Override
        protected void doResolveAll(String host, Promise<List<InetAddress>> promise) {
            lookups.execute(() -> {
                try {
                    promise.trySuccess(Arrays.asList(InetAddress.getAllByName(host)));
                } catch (Exception e) {
                    promise.tryFailure(e);
                }
            });
        }
    }
}

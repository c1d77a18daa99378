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

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Locale;

/**
 * The client of {@code peers.sh}'s latency runs, so that any relay (HAProxy, nginx, ...) in front of {@link EchoMain}
 * is measured by the same code as the JMH benchmarks (its churn test is for runs by hand: peers.sh measures churn
 * with ab):
 *
 * <pre>
 * java -cp benchmarks.jar dev.splicerelay.benchmarks.PingClient --target 127.0.0.1:20001 --test latency|churn \
 *      --seconds 3 --warmup 1
 * </pre>
 *
 * {@code latency}: 64-byte request/echo round trips on one connection; prints {@code latency_us_median=… mean=…
 * p99=… n=…}. {@code churn}: connect, 64-byte request/echo, close, one connection at a time; prints
 * {@code churn_per_s=… n=…}. Any short or wrong echo, or any error, ends it with a non-zero exit status.
 */
public final class PingClient {
    private PingClient() {
    }

    public static void main(String[] argv) throws Exception {
        Args args = Args.parse(argv, "--target", "--test", "--seconds", "--warmup");
        InetSocketAddress target = args.address("--target", null);
        String test = args.get("--test", null);
        long seconds = Long.parseLong(args.get("--seconds", "3"));
        long warmup = Long.parseLong(args.get("--warmup", "1"));
        switch (test) {
            case "latency":
                latency(target, warmup, seconds);
                break;
            case "churn":
                churn(target, warmup);
                System.out.println(churn(target, seconds));
                break;
            default:
                throw new IllegalArgumentException("--test expects latency or churn, got '" + test + "'");
        }
    }

    private static void latency(InetSocketAddress target, long warmupSeconds, long seconds) throws Exception {
        try (PingPong client = new PingPong(target)) {
            long end = System.nanoTime() + warmupSeconds * 1_000_000_000L;
            while (System.nanoTime() - end < 0) {
                client.exchange();
            }
            long[] samples = new long[1 << 20];
            int n = 0;
            end = System.nanoTime() + seconds * 1_000_000_000L;
            long now = System.nanoTime();
            while (now - end < 0) {
                client.exchange();
                long after = System.nanoTime();
                if (n == samples.length) {
                    samples = Arrays.copyOf(samples, n * 2);
                }
                samples[n++] = after - now;
                now = after;
            }
            client.finish();
            long[] sorted = Arrays.copyOf(samples, n);
            Arrays.sort(sorted);
            double mean = Arrays.stream(sorted).average().orElse(Double.NaN);
            System.out.printf(Locale.ROOT, "latency_us_median=%.2f mean=%.2f p99=%.2f n=%d%n",
                    sorted[n / 2] / 1e3, mean / 1e3, sorted[(int) (n * 0.99)] / 1e3, n);
        }
    }

    private static String churn(InetSocketAddress target, long seconds) throws Exception {
        long n = 0;
        long start = System.nanoTime();
        long end = start + seconds * 1_000_000_000L;
        long now = start;
        while (now - end < 0) {
            try (PingPong client = new PingPong(target)) {
                client.exchange();
            }
            n++;
            now = System.nanoTime();
        }
        return String.format(Locale.ROOT, "churn_per_s=%.1f n=%d", n / ((now - start) / 1e9), n);
    }
}

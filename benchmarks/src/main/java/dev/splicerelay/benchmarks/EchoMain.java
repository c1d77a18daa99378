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

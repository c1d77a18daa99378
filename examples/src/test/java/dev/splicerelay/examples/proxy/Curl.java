package dev.splicerelay.examples.proxy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The {@code curl} command line client, as a real client of the proxy's fronts. Without curl the tests that need it
 * are skipped, with the reason shown, except on CI ({@code CI} set), where a missing curl is a failure.
 */
final class Curl {
    private Curl() {
    }

    record Result(int exitCode, String stdout, String stderr) {
    }

    static void assumeInstalled() {
        boolean installed;
        try {
            installed = run("--version").exitCode() == 0;
        } catch (IOException e) {
            installed = false;
        }
        if (!installed) {
            if (System.getenv("CI") != null) {
                fail("curl is not installed, and CI must run the curl tests (apt-get install curl)");
            }
            assumeTrue(false, "curl is not installed: skipping the curl tests (CI runs them)");
        }
    }

    static Result run(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add("curl");
        command.addAll(List.of("--silent", "--show-error", "--max-time", "30"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).start();
        process.getOutputStream().close();
        try {
            byte[] stdout = process.getInputStream().readAllBytes();
            byte[] stderr = process.getErrorStream().readAllBytes();
            if (!process.waitFor(40, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("curl did not finish");
            }
            return new Result(process.exitValue(), new String(stdout, StandardCharsets.ISO_8859_1),
                    new String(stderr, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}

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

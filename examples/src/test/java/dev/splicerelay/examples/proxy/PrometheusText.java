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
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Parses a scrape with a Prometheus text-format parser that is not ours: the Prometheus Python client's
 * ({@code prometheus_client.parser}, Debian's {@code python3-prometheus-client}, installed on first use). A scrape
 * it rejects fails the test. The samples come back keyed as {@code name{k=v,...}} with the labels sorted.
 */
final class PrometheusText {
    private static final Path PYTHON = Path.of("/usr/bin/python3");

    private PrometheusText() {
    }

    static Map<String, Double> parse(String scrape) throws IOException, InterruptedException {
        ensureParser();
        Path script = Files.createTempFile("parse_prometheus", ".py");
        try (InputStream in = PrometheusText.class.getResourceAsStream("/parse_prometheus.py")) {
            Files.write(script, in.readAllBytes());
            Process python = new ProcessBuilder(PYTHON.toString(), script.toString()).redirectErrorStream(true)
                    .start();
            try (OutputStream stdin = python.getOutputStream()) {
                stdin.write(scrape.getBytes(StandardCharsets.UTF_8));
            }
            String out = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(python.waitFor(30, TimeUnit.SECONDS), "the parser did not finish");
            assertEquals(0, python.exitValue(), "the Prometheus parser rejected the scrape:\n" + out + "\n" + scrape);
            Map<String, Double> samples = new TreeMap<>();
            for (String line : out.split("\n")) {
                if (line.isEmpty()) {
                    continue;
                }
                String[] fields = line.split("\t");
                samples.put(fields[0] + "{" + fields[1] + "}", number(fields[2]));
            }
            return samples;
        } finally {
            Files.deleteIfExists(script);
        }
    }

    /** A value as Python's {@code repr} writes a float. */
    private static double number(String text) {
        return switch (text) {
            case "nan" -> Double.NaN;
            case "inf" -> Double.POSITIVE_INFINITY;
            case "-inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(text);
        };
    }

    private static synchronized void ensureParser() throws IOException, InterruptedException {
        if (run(PYTHON.toString(), "-c", "import prometheus_client.parser") == 0) {
            return;
        }
        run("sh", "-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "
                + "python3-prometheus-client >/dev/null");
        assertEquals(0, run(PYTHON.toString(), "-c", "import prometheus_client.parser"),
                "needs Debian's python3-prometheus-client (apt-get install python3-prometheus-client)");
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            return -1;
        }
        return process.exitValue();
    }
}

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

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar, redrawn in place with a carriage return at most every {@value #REDRAW_MILLIS} ms. Used by
 * one thread.
 */
final class ProgressBar {
    private static final long REDRAW_MILLIS = 100;
    private static final int WIDTH = 30;

    private final String label;
    private final long total;
    private final PrintStream out;
    private final long startNanos = System.nanoTime();
    private long lastDrawNanos;

    ProgressBar(String label, long total, PrintStream out) {
        this.label = label;
        this.total = total;
        this.out = out;
    }

    void update(long done) {
        long now = System.nanoTime();
        if (now - lastDrawNanos >= REDRAW_MILLIS * 1_000_000) {
            lastDrawNanos = now;
            draw(done, now);
        }
    }

    void finish(long done) {
        draw(done, System.nanoTime());
        out.println();
    }

    private void draw(long done, long now) {
        int filled = (int) (WIDTH * done / total);
        double seconds = Math.max(1e-9, (now - startNanos) / 1e9);
        out.printf(Locale.ROOT, "\r  %-6s [%s%s] %3d%%  %,6d / %,d MiB  %,6.0f MB/s", label, "#".repeat(filled),
                "-".repeat(WIDTH - filled), 100 * done / total, done >> 20, total >> 20, done / seconds / 1e6);
        out.flush();
    }
}

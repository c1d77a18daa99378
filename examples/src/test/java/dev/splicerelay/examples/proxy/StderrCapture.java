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

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps a copy of what this JVM writes to standard error, where slf4j-simple logs (it looks {@code System.err} up
 * for every line), so that a test running the proxy in-process can find the lines that mean trouble: any WARN or
 * ERROR, which covers Netty's "An exceptionCaught() event was fired, and it reached at the tail of the pipeline", an
 * exception thrown by a future's listener, and a "LEAK:" report of the leak detector.
 */
final class StderrCapture implements AutoCloseable {
    /** A WARN or ERROR line in slf4j-simple's layout, whatever date and thread name come before the level. */
    private static final Pattern TROUBLE = Pattern.compile(
            "(?m)^[^\\n]{0,80}?\\b(WARN|ERROR) [\\w.$]+ - |LEAK:|reached at the tail of the pipeline");
    /** Enough of a report for its stack trace. */
    private static final int REPORT_CHARS = 6000;

    private final PrintStream original = System.err;
    private final ByteArrayOutputStream copy = new ByteArrayOutputStream();

    StderrCapture() {
        System.setErr(new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) {
                original.write(bytes, offset, length);
                synchronized (copy) {
                    copy.write(bytes, offset, length);
                }
            }

            @Override
            public void flush() {
                original.flush();
            }
        }, true, StandardCharsets.UTF_8));
    }

    /**
     * Returns what was written from the first line of trouble on, if any line since the previous call was one, or
     * {@code null}; and forgets what was written so far. A line that one of {@code expected} finds is no trouble: the
     * warnings a test provokes on purpose, such as {@link #targetDown} for a target it makes fail. Every other WARN
     * or ERROR line still is, before or after them.
     */
    String takeTrouble(Pattern... expected) {
        String text;
        synchronized (copy) {
            text = copy.toString(StandardCharsets.UTF_8);
            copy.reset();
        }
        Matcher trouble = TROUBLE.matcher(text);
        while (trouble.find()) {
            int from = text.lastIndexOf('\n', trouble.start()) + 1;
            int end = text.indexOf('\n', trouble.start());
            String line = text.substring(from, end < 0 ? text.length() : end);
            if (Arrays.stream(expected).noneMatch(pattern -> pattern.matcher(line).find())) {
                return text.substring(from, Math.min(text.length(), from + REPORT_CHARS));
            }
        }
        return null;
    }

    /** The WARN line of {@code target} (as the command line writes it) going down, which a test may expect. */
    static Pattern targetDown(String target) {
        return Pattern.compile("\\bWARN [\\w.$]*Target - target " + Pattern.quote(target) + " is DOWN: ");
    }

    @Override
    public void close() {
        System.setErr(original);
    }
}

package dev.splicerelay.examples.proxy;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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
     * {@code null}; and forgets what was written so far.
     */
    String takeTrouble() {
        String text;
        synchronized (copy) {
            text = copy.toString(StandardCharsets.UTF_8);
            copy.reset();
        }
        Matcher trouble = TROUBLE.matcher(text);
        if (!trouble.find()) {
            return null;
        }
        int from = text.lastIndexOf('\n', trouble.start()) + 1;
        return text.substring(from, Math.min(text.length(), from + REPORT_CHARS));
    }

    @Override
    public void close() {
        System.setErr(original);
    }
}

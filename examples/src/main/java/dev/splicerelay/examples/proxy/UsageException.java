package dev.splicerelay.examples.proxy;

/**
 * A command line the proxy cannot run with; its message says what is wrong in words meant for the user.
 */
final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}

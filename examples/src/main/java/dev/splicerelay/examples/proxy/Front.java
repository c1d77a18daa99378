package dev.splicerelay.examples.proxy;

import java.util.Locale;

/**
 * How an accepted client tells the proxy where to connect: {@code --front} on the command line.
 */
enum Front {
    /** Nothing to tell: every connection goes to {@code --target}. */
    FORWARD,
    /** An HTTP/1.1 {@code CONNECT host:port} request, answered with {@code 200 Connection established}. */
    CONNECT,
    /** A SOCKS5 handshake (RFC 1928): no authentication, the {@code CONNECT} command only. */
    SOCKS5;

    String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }
}

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

import io.netty.handler.codec.http.HttpResponseStatus;

import java.util.regex.Pattern;

/**
 * What {@link HttpConnectDecoder} read from a client: either the target of a well-formed {@code CONNECT} request, or
 * the error status to answer with. Headers are checked for form and otherwise ignored: the proxy needs none.
 *
 * @param target the requested {@code host:port}, or {@code null} if {@code error} is set
 * @param error  the status to answer a request that cannot be served with, or {@code null}
 * @param reason why, for the answer's body and the log; {@code null} with {@code error}
 */
record HttpConnectRequest(HostPort target, HttpResponseStatus error, String reason) {
    /** RFC 9110 {@code token}: a method or a header name. */
    private static final String TOKEN_CHARS = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]+";
    private static final Pattern TOKEN = Pattern.compile(TOKEN_CHARS);
    /** A header name, a colon, then any characters but controls other than tab. */
    private static final Pattern HEADER = Pattern.compile(TOKEN_CHARS + ":[^\\x00-\\x08\\x0a-\\x1f\\x7f]*");

    static HttpConnectRequest rejected(HttpResponseStatus error, String reason) {
        return new HttpConnectRequest(null, error, reason);
    }

    /**
     * Parses a request head: the request line and header lines, each ended by LF or CRLF, up to the blank line.
     */
    static HttpConnectRequest parse(String head) {
        String[] lines = head.split("\r?\n");
        String[] requestLine = lines[0].split(" ", -1);
        if (requestLine.length != 3 || !TOKEN.matcher(requestLine[0]).matches()) {
            return rejected(HttpResponseStatus.BAD_REQUEST, "malformed request line");
        }
        if (!requestLine[2].equals("HTTP/1.1") && !requestLine[2].equals("HTTP/1.0")) {
            return rejected(HttpResponseStatus.BAD_REQUEST, "not an HTTP/1.x request");
        }
        for (int i = 1; i < lines.length; i++) {
            if (!HEADER.matcher(lines[i]).matches()) {
                return rejected(HttpResponseStatus.BAD_REQUEST, "malformed header line");
            }
        }
        if (!requestLine[0].equals("CONNECT")) {
            return rejected(HttpResponseStatus.METHOD_NOT_ALLOWED, "this proxy only serves CONNECT requests");
        }
        try {
            HostPort target = HostPort.parse(requestLine[1]);
            if (target.port() == 0) {
                return rejected(HttpResponseStatus.BAD_REQUEST, "port 0 cannot be a target");
            }
            return new HttpConnectRequest(target, null, null);
        } catch (IllegalArgumentException e) {
            return rejected(HttpResponseStatus.BAD_REQUEST, "the target is not HOST:PORT");
        }
    }
}

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
package dev.splicerelay;

import java.io.IOException;
import java.net.Socket;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;

/**
 * What a test of a relay between TCP sockets on loopback needs, whatever runs the relay: a {@link RelayFixture} (a
 * {@link SpliceRelayHandler} on channels) or a {@link ServerFixture} (a {@link SpliceRelayServer}).
 */
interface TcpRelayFixture extends AutoCloseable {
    /** A new client of the relay. */
    Socket connect() throws IOException;

    /** The backend's end of the next connection the relay opens to it. */
    Socket acceptBackend() throws IOException;

    /** The stats of the next relay, once it has ended. */
    RelayStats nextStats() throws Exception;

    /** Runs {@code task} on a thread of the fixture's, stopped when it closes. */
    <T> Future<T> async(Callable<T> task);
}

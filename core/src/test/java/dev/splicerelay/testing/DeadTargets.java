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
package dev.splicerelay.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

/**
 * Targets on 127.0.0.1 that a connect to fails, each in its own way: a {@link RefusingPort} (refused at once),
 * and a listening socket whose accept queue is full and never drained, so the kernel drops further SYNs and a connect
 * times out, as to a host that does not answer. Linux drops a SYN to a full accept queue; {@link #silentDropsSyns()}
 * says whether the kernel did so to one of the connects that filled it.
 */
public final class DeadTargets implements AutoCloseable {
    private final RefusingPort refusing = new RefusingPort();
    private final ServerSocket silent;
    private final List<Socket> queueFillers = new ArrayList<>();
    private boolean silentDropsSyns;

    public DeadTargets() throws IOException {
        ServerSocket listening = null;
        try {
            listening = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            fillAcceptQueue(listening);
        } catch (IOException | RuntimeException e) {
            // The refusing port is held from the field's initializer on; nothing of a half-made instance stays open.
            closeFillers();
            if (listening != null) {
                listening.close();
            }
            refusing.close();
            throw e;
        }
        silent = listening;
    }

    private void fillAcceptQueue(ServerSocket silent) throws IOException {
        for (int i = 0; i < 4; i++) {
            Socket filler = new Socket();
            queueFillers.add(filler);
            try {
                filler.connect(silent.getLocalSocketAddress(), 200);
            } catch (SocketTimeoutException unanswered) {
                // The queue is full: later connects time out, which is the point.
                silentDropsSyns = true;
                break;
            }
        }
    }

    public String refused() {
        return "127.0.0.1:" + refusing.port();
    }

    public InetSocketAddress refusedAddress() {
        return refusing.address();
    }

    public String silent() {
        return "127.0.0.1:" + silent.getLocalPort();
    }

    public InetSocketAddress silentAddress() {
        return (InetSocketAddress) silent.getLocalSocketAddress();
    }

    /** Whether a connect to {@link #silent()} went unanswered while its queue was filled: later ones will too. */
    public boolean silentDropsSyns() {
        return silentDropsSyns;
    }

    @Override
    public void close() throws IOException {
        closeFillers();
        silent.close();
        refusing.close();
    }

    private void closeFillers() throws IOException {
        for (Socket filler : queueFillers) {
            filler.close();
        }
    }
}

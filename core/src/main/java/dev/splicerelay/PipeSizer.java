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

import io.netty.channel.unix.FileDescriptor;

/**
 * Grows a new pipe with {@code fcntl(F_SETPIPE_SZ)}. Java 17 to 21 cannot call {@code fcntl} without JNI, so this
 * version leaves every pipe at Linux's default of 64 KiB; the multi-release jar holds a Java 22+ version in
 * {@code META-INF/versions/22} that calls it through the Foreign Function and Memory API (built when Maven runs on
 * JDK 22 or later). Threading: any thread.
 */
final class PipeSizer {
    private PipeSizer() {
    }

    /** How pipes are sized on this JVM, for {@link RelayStats#modeReason()}. */
    static String mechanism() {
        return "64 KiB pipes (Java " + Runtime.version().feature() + " cannot resize them without FFM)";
    }

    /**
     * Asks for {@code bytes} of capacity on the pipe whose write end is {@code writeEnd}.
     *
     * @return the pipe's capacity afterwards
     */
    static int resize(FileDescriptor writeEnd, int bytes) {
        return Pipe.DEFAULT_CAPACITY;
    }
}

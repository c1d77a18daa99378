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

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Grows a new pipe with {@code fcntl(F_SETPIPE_SZ)}, called through the Foreign Function and Memory API: the Java 22+
 * version of this class in the multi-release jar. The kernel refuses more than {@code fs.pipe-max-size} (1 MiB by
 * default) and, with EPERM, any growth once the user's pipes hold {@code fs.pipe-user-pages-soft} pages (64 MiB);
 * the pipe then keeps its size, which {@code F_GETPIPE_SZ} reads back (one page for a pipe made past that limit).
 * If native access is denied ({@code --illegal-native-access=deny}, or {@code --enable-native-access} naming other
 * modules), pipes keep Linux's default. Threading: any thread.
 */
final class PipeSizer {
    private static final int F_SETPIPE_SZ = 1031;
    private static final int F_GETPIPE_SZ = 1032;
    private static final MethodHandle FCNTL;
    private static final String MECHANISM;

    static {
        MethodHandle fcntl = null;
        String mechanism;
        try {
            Linker linker = Linker.nativeLinker();
            fcntl = linker.downcallHandle(linker.defaultLookup().find("fcntl").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                            ValueLayout.JAVA_INT),
                    Linker.Option.firstVariadicArg(2));
            mechanism = "pipes grown with fcntl(F_SETPIPE_SZ) through FFM";
        } catch (RuntimeException | LinkageError e) {
            mechanism = "64 KiB pipes (no native access for fcntl: " + e + ")";
        }
        FCNTL = fcntl;
        MECHANISM = mechanism;
    }

    private PipeSizer() {
    }

    /** How pipes are sized on this JVM, for {@link RelayStats#modeReason()}. */
    static String mechanism() {
        return MECHANISM;
    }

    /**
     * Asks for {@code bytes} of capacity on the pipe whose write end is {@code writeEnd}.
     *
     * @return the pipe's capacity afterwards
     */
    static int resize(FileDescriptor writeEnd, int bytes) {
        if (FCNTL == null) {
            return Pipe.DEFAULT_CAPACITY;
        }
        try {
            int capacity = (int) FCNTL.invokeExact(writeEnd.intValue(), F_SETPIPE_SZ, bytes);
            if (capacity > 0) {
                return capacity;
            }
            capacity = (int) FCNTL.invokeExact(writeEnd.intValue(), F_GETPIPE_SZ, 0);
            return capacity > 0 ? capacity : Pipe.DEFAULT_CAPACITY;
        } catch (Throwable e) {
            return Pipe.DEFAULT_CAPACITY;
        }
    }
}
